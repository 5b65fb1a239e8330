#include "connectors/writeback/make_target.h"

#include <sys/stat.h>

#include "connectors/writeback/file_target.h"
#include "connectors/writeback/wonde_target.h"

namespace iesync {

Result<std::unique_ptr<WriteTarget>> make_write_target(const WritebackConfig& cfg,
                                                       const CodesConfig& codes, HttpClient& http,
                                                       Clock& clock, LookupCache* cache) {
  if (cfg.target == WritebackTarget::file) {
    if (cfg.outbox_dir.empty())
      return make_error("[writeback] outbox_dir", "is not set",
                        "set it to the folder the MIS imports write-back files from");
    return std::unique_ptr<WriteTarget>(std::make_unique<FileTarget>(cfg.outbox_dir, clock));
  }
  struct stat st {};
  if (::stat(cfg.token_file.c_str(), &st) != 0)
    return make_error(cfg.token_file.string(), "the Wonde token file does not exist",
                      "create it with the API token on its first line, mode 0600");
  if (st.st_mode & 077)
    return make_error(cfg.token_file.string(), "the Wonde token file can be read by other users",
                      "run: chmod 600 " + cfg.token_file.string());
  auto token = read_wonde_token(cfg.token_file);
  if (!token) return token.error();
  WondeOptions o;
  o.api_base = cfg.api_base;
  o.school_id = cfg.school_id;
  o.token = *token;
  o.behaviour_type = cfg.behaviour_type;
  o.behaviour_action = cfg.behaviour_action;
  o.may_overwrite = codes.may_overwrite;
  o.our_codes = {codes.lesson, codes.session_am, codes.session_pm};
  o.cache = cache;
  o.today = format_utc(clock.now()).substr(0, 10);
  return std::unique_ptr<WriteTarget>(std::make_unique<WondeTarget>(http, std::move(o)));
}

}  // namespace iesync
