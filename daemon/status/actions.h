// The dashboard's "Sync now" and "Chase now" buttons. The page is read with the dashboard
// sign-in (Basic, the token as password), which can only read; starting a sync or a chase
// needs the token as a Bearer header (SPEC §7), which a browser never sends by itself. So a
// tiny inline script asks for the token once (kept in the tab's sessionStorage, forgotten on
// a 401), POSTs with `Authorization: Bearer`, and shows the answer beside the buttons.
//
// The page's Content-Security-Policy allows this one script by its hash and nothing else:
// no other inline script, no script file, fetch() only to the status server itself.
#pragma once

#include <string>

namespace iesync {

// The buttons and the line their answers go to. `chase`: [notify] is on.
std::string dashboard_actions_html(bool chase);
// The <script> element, to go at the end of the page's body.
std::string dashboard_actions_script();
// "'sha256-...'": the script's source for the CSP script-src.
const std::string& dashboard_actions_script_hash();

}  // namespace iesync
