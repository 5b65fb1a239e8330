#include "daemon/status/actions.h"

#include <memory>

#include "connectors/crypto/libcrypto.h"

namespace iesync {

namespace {

// Kept small and plain; no third-party code. A 401 forgets the stored token and asks once
// more. The answer shown is the server's own JSON message (202 queued, 409 already queued
// or notify off, 401/403 token).
constexpr const char* kScript = R"js((function () {
  var out = document.getElementById('action-result');
  function post(b, again) {
    var what = b.textContent;
    var t = sessionStorage.getItem('iesync-token');
    if (!t) {
      t = window.prompt('The iesync token (the IT admin has it), to use "' + what + '":');
      if (!t) return;
      sessionStorage.setItem('iesync-token', t);
    }
    out.textContent = what + ': sending...';
    fetch(b.getAttribute('data-post'), {method: 'POST', headers: {'Authorization': 'Bearer ' + t}})
      .then(function (r) {
        return r.text().then(function (x) {
          if (r.status === 401) {
            sessionStorage.removeItem('iesync-token');
            if (!again) return post(b, true);
          }
          var m = x;
          try { var j = JSON.parse(x); m = j.message || j.error || j.result || x; } catch (e) {}
          out.textContent = what + ': ' + (r.status === 202 ? 'done (' : 'refused (') + r.status +
                            ') ' + m;
        });
      }, function () { out.textContent = what + ': iesync could not be reached'; });
  }
  var bs = document.querySelectorAll('button[data-post]');
  for (var i = 0; i < bs.length; i++)
    bs[i].addEventListener('click', function (e) { post(e.currentTarget, false); });
})();)js";

std::string sha256_source(const std::string& text) {
  const auto md = crypto::sha256(text);
  return "'sha256-" +
         crypto::base64(std::string_view(reinterpret_cast<const char*>(md.data()), md.size())) +
         "'";
}

}  // namespace

std::string dashboard_actions_html(bool chase) {
  std::string out =
      "<p id=\"actions\"><button type=\"button\" id=\"sync-now\" data-post=\"/api/v1/sync\">"
      "Sync now</button>";
  if (chase)
    out +=
        " <button type=\"button\" id=\"chase-now\" data-post=\"/api/v1/chase\">Chase now"
        "</button>";
  out += " <span id=\"action-result\" role=\"status\"></span></p>\n";
  return out;
}

std::string dashboard_actions_script() {
  return "<script>" + std::string(kScript) + "</script>\n";
}

const std::string& dashboard_actions_script_hash() {
  static const std::string hash = sha256_source(kScript);
  return hash;
}

}  // namespace iesync
