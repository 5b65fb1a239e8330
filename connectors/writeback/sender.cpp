#include "connectors/writeback/sender.h"

#include <algorithm>
#include <map>

namespace iesync {

std::string describe_item(const WriteItem& it) {
  std::string what;
  switch (it.kind) {
    case WriteKind::lesson_mark:
      what = "lesson mark";
      break;
    case WriteKind::session_mark:
      what = "session mark";
      break;
    case WriteKind::exclusion:
      what = "internal exclusion record";
      break;
    case WriteKind::retraction:
      what = "retraction (mark back to -)";
      break;
  }
  std::string where;
  if (!it.class_code.empty())
    where = it.class_code + " " + it.start.str();
  else if (!it.session.empty())
    where = it.session + " session";
  else
    where = "booking " + it.booking_id;
  return what + " for student " + it.student_id + " (" + where + ", " + it.date.iso() + ")";
}

std::chrono::seconds writeback_backoff(int tries, std::optional<std::chrono::seconds> retry_after,
                                       const SenderOptions& opts) {
  auto d = opts.base_backoff;
  for (int i = 0; i < tries && d < opts.max_backoff; ++i) d *= 2;
  d = std::min(d, opts.max_backoff);
  if (retry_after && *retry_after > d) d = std::min(*retry_after, opts.max_backoff);
  return d;
}

Sender::Sender(Outbox& outbox, WriteTarget& target, Clock& clock, EventSink& events,
               SenderOptions opts)
    : outbox_(outbox), target_(target), clock_(clock), events_(events), opts_(opts) {}

Result<void> Sender::record(const OutboxRow& row, const ItemOutcome& o, SendSummary& sum) {
  const auto name = target_.name();
  const std::int64_t ids[] = {row.id};
  auto emit = [&](Severity sev, const std::string& kind, const std::string& msg) {
    if (o.event) {
      events_.emit(*o.event);
      return;
    }
    events_.emit(Event{sev,
                       kind,
                       msg,
                       {{"outbox_id", std::to_string(row.id)},
                        {"key", row.item.key},
                        {"target", name},
                        {"detail", o.detail}}});
  };
  switch (o.result) {
    case ItemResult::sent:
      ++sum.sent;
      return outbox_.mark_sent(ids, name, o.target_ref);
    case ItemResult::confirmed:
      ++sum.confirmed;
      return outbox_.mark_confirmed(ids, name, o.target_ref);
    case ItemResult::conflict: {
      ++sum.conflict;
      auto r = outbox_.mark_conflict(row.id, name, o.detail);
      if (r)
        emit(Severity::warning, "writeback.conflict",
             "The " + describe_item(row.item) + " was not written: " + o.detail +
                 ". iesync never overwrites it; check the register, then change the mark in "
                 "the MIS or run: iesync outbox discard " +
                 std::to_string(row.id) + " --reason TEXT");
      return r;
    }
    case ItemResult::retry: {
      ++sum.retry;
      auto next = clock_.now() + writeback_backoff(row.tries, o.retry_after, opts_);
      auto st = outbox_.mark_failed_try(row.id, name, o.detail, next);
      if (!st) return st.error();
      if (*st == OutboxState::failed)
        emit(Severity::error, "writeback.failed",
             "The " + describe_item(row.item) + " could not be written after " +
                 std::to_string(row.tries + 1) + " tries (last: " + o.detail +
                 "). Fix the cause, then run: iesync outbox retry " + std::to_string(row.id));
      return {};
    }
    case ItemResult::in_doubt: {
      ++sum.in_doubt;
      auto r = outbox_.note_in_doubt(row.id, name, o.detail);
      if (r)
        emit(Severity::warning, "writeback.in_doubt",
             "The " + describe_item(row.item) + " may or may not have reached the MIS (" +
                 o.detail +
                 "). It will be read back from the MIS before it is sent again, "
                 "so it is never written twice");
      return r;
    }
    case ItemResult::not_there:  // only recover() reports it; run_once() handles it there
      return {};
    case ItemResult::failed: {
      ++sum.failed;
      auto r = outbox_.mark_failed(row.id, name, o.detail);
      if (r)
        emit(Severity::error, "writeback.failed",
             "The MIS refused the " + describe_item(row.item) + ": " + o.detail +
                 ". Fix the cause, then run: iesync outbox retry " + std::to_string(row.id));
      return r;
    }
  }
  return {};
}

Result<SendSummary> Sender::run_once() {
  SendSummary sum;
  auto doubt = outbox_.in_doubt(opts_.batch_limit);
  if (!doubt) return doubt.error();
  auto due = outbox_.due(clock_.now(), opts_.batch_limit);
  if (!due) return due.error();
  std::vector<OutboxRow> rows = std::move(*doubt);
  rows.insert(rows.end(), due->begin(), due->end());
  if (rows.empty()) return sum;
  std::map<std::int64_t, const OutboxRow*> by_id;
  for (const auto& r : rows) by_id[r.id] = &r;

  // Items an earlier run may have written (its outcome or its commit was lost): find out
  // from the target before anything is written again.
  auto recovered = target_.recover(rows);
  if (!recovered) {
    // Without knowing what is already out there, writing could duplicate: send nothing.
    events_.emit(Event{Severity::error,
                       "writeback.recover_failed",
                       "Write-back did not run: " + recovered.error().to_string(),
                       {{"target", target_.name()}}});
    return recovered.error();
  }
  std::map<std::int64_t, bool> resend;  // in-doubt rows the MIS does not hold
  std::map<std::int64_t, bool> done;
  {
    std::vector<ItemOutcome> found;
    for (const auto& o : *recovered) {
      if (!by_id.count(o.id) || done.count(o.id)) continue;
      done[o.id] = true;
      if (o.result == ItemResult::not_there) {
        auto st = outbox_.resend(o.id, "read back: the MIS does not hold it; " + o.detail);
        if (!st) return st.error();
        if (*st == OutboxState::pending) resend[o.id] = true;
        continue;
      }
      found.push_back(o);
    }
    SendSummary rec;  // recovered rows are counted apart from this run's sends
    if (auto r = record_all(by_id, found, rec); !r) return r.error();
    sum.recovered = rec.sent + rec.confirmed;
    sum.conflict += rec.conflict;
    sum.failed += rec.failed;
    sum.retry += rec.retry;
    sum.in_doubt += rec.in_doubt;
  }
  std::vector<OutboxRow> to_send;
  for (const auto& r : rows) {
    if (r.state == OutboxState::in_doubt && !resend.count(r.id)) continue;  // still unknown
    if (done.count(r.id) && !resend.count(r.id)) continue;
    to_send.push_back(r);
    to_send.back().state = OutboxState::pending;
  }
  if (to_send.empty()) return sum;

  std::vector<std::int64_t> announced;  // rows a request carried: in_doubt in the store now
  BeforePost before_post = [&](std::span<const std::int64_t> ids) -> Result<void> {
    auto r = outbox_.mark_in_doubt(ids, target_.name());
    if (r) announced.insert(announced.end(), ids.begin(), ids.end());
    return r;
  };
  auto out = target_.send(to_send, before_post);
  if (!out) {
    events_.emit(
        Event{Severity::warning,
              "writeback.unavailable",
              "Write-back to the MIS failed and will be tried again: " + out.error().to_string(),
              {{"target", target_.name()}, {"items", std::to_string(to_send.size())}}});
    for (const auto& row : to_send) {
      if (std::find(announced.begin(), announced.end(), row.id) != announced.end()) continue;
      auto next = clock_.now() + writeback_backoff(row.tries, std::nullopt, opts_);
      auto st = outbox_.mark_failed_try(row.id, target_.name(), out.error().message, next);
      if (!st) return st.error();
      ++sum.retry;
      if (*st == OutboxState::failed)
        events_.emit(
            Event{Severity::error,
                  "writeback.failed",
                  "The " + describe_item(row.item) + " could not be written after " +
                      std::to_string(row.tries + 1) + " tries (last: " + out.error().message +
                      "). Fix the cause, then run: iesync outbox retry " + std::to_string(row.id),
                  {{"outbox_id", std::to_string(row.id)}, {"key", row.item.key}}});
    }
    return sum;
  }
  std::map<std::int64_t, const OutboxRow*> sent_by_id;
  for (const auto& r : to_send) sent_by_id[r.id] = &r;
  std::map<std::int64_t, bool> seen;
  std::vector<ItemOutcome> outcomes;
  for (const auto& o : out->items) {
    if (!sent_by_id.count(o.id) || seen.count(o.id)) continue;  // a target bug; never double-record
    seen[o.id] = true;
    outcomes.push_back(o);
  }
  if (auto r = record_all(sent_by_id, outcomes, sum); !r) return r.error();
  // A row announced but not reported stays in_doubt (read back next run); the rest untouched.
  for (auto id : announced)
    if (!seen.count(id)) ++sum.in_doubt;
  sum.untouched = static_cast<int>(to_send.size() - seen.size());
  if (out->stopped)
    events_.emit(Event{
        Severity::warning,
        "writeback.unavailable",
        "Write-back stopped early and goes on next cycle: " + out->stopped->to_string(),
        {{"target", target_.name()}, {"items", std::to_string(to_send.size() - seen.size())}}});
  return sum;
}

Result<void> Sender::record_all(const std::map<std::int64_t, const OutboxRow*>& rows,
                                const std::vector<ItemOutcome>& outcomes, SendSummary& sum) {
  // Items that went out together (one file, one Wonde batch) are recorded in one
  // transaction: one commit per batch rather than one per item.
  std::map<std::pair<ItemResult, std::string>, std::vector<std::int64_t>> together;
  for (const auto& o : outcomes) {
    if (o.result == ItemResult::sent || o.result == ItemResult::confirmed) {
      together[{o.result, o.target_ref}].push_back(o.id);
      continue;
    }
    if (auto r = record(*rows.at(o.id), o, sum); !r) return r;
  }
  for (const auto& [what, ids] : together) {
    const bool sent = what.first == ItemResult::sent;
    auto r = sent ? outbox_.mark_sent(ids, target_.name(), what.second)
                  : outbox_.mark_confirmed(ids, target_.name(), what.second);
    if (!r) return r;
    (sent ? sum.sent : sum.confirmed) += static_cast<int>(ids.size());
  }
  return {};
}

}  // namespace iesync
