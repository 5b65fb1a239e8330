#include "connectors/writeback/sender.h"

#include <algorithm>
#include <map>

namespace iesync {

std::string describe_item(const WriteItem& it) {
  std::string what;
  switch (it.kind) {
    case WriteKind::lesson_mark: what = "lesson mark"; break;
    case WriteKind::session_mark: what = "session mark"; break;
    case WriteKind::exclusion: what = "internal exclusion record"; break;
    case WriteKind::retraction: what = "retraction (mark back to -)"; break;
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
    events_.emit(Event{sev, kind, msg,
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
                 "the MIS or run: iesync outbox discard " + std::to_string(row.id) +
                 " --reason TEXT");
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
  auto due = outbox_.due(clock_.now(), opts_.batch_limit);
  if (!due) return due.error();
  if (due->empty()) return sum;
  std::map<std::int64_t, const OutboxRow*> by_id;
  for (const auto& r : *due) by_id[r.id] = &r;

  // Items an interrupted run already wrote: record them, never write them again.
  auto recovered = target_.recover(*due);
  if (!recovered) {
    // Without knowing what is already out there, writing could duplicate: send nothing.
    events_.emit(Event{Severity::error, "writeback.recover_failed",
                       "Write-back did not run: " + recovered.error().to_string(),
                       {{"target", target_.name()}}});
    return recovered.error();
  }
  std::vector<OutboxRow> to_send;
  {
    std::map<std::int64_t, bool> done;
    std::vector<ItemOutcome> found;
    for (const auto& o : *recovered) {
      if (!by_id.count(o.id) || done.count(o.id)) continue;
      done[o.id] = true;
      found.push_back(o);
    }
    if (auto r = record_all(by_id, found, sum); !r) return r.error();
    sum.recovered = static_cast<int>(found.size());
    sum.sent -= sum.recovered;  // recovered rows are counted apart
    for (const auto& r : *due)
      if (!done.count(r.id)) to_send.push_back(r);
  }
  if (to_send.empty()) return sum;

  auto out = target_.send(to_send);
  if (!out) {
    events_.emit(Event{Severity::warning, "writeback.unavailable",
                       "Write-back to the MIS failed and will be tried again: " +
                           out.error().to_string(),
                       {{"target", target_.name()}, {"items", std::to_string(to_send.size())}}});
    for (const auto& row : to_send) {
      auto next = clock_.now() + writeback_backoff(row.tries, std::nullopt, opts_);
      auto st = outbox_.mark_failed_try(row.id, target_.name(), out.error().message, next);
      if (!st) return st.error();
      ++sum.retry;
      if (*st == OutboxState::failed)
        events_.emit(Event{Severity::error, "writeback.failed",
                           "The " + describe_item(row.item) + " could not be written after " +
                               std::to_string(row.tries + 1) + " tries (last: " +
                               out.error().message + "). Fix the cause, then run: iesync outbox retry " +
                               std::to_string(row.id),
                           {{"outbox_id", std::to_string(row.id)}, {"key", row.item.key}}});
    }
    return sum;
  }
  std::map<std::int64_t, bool> seen;
  std::vector<ItemOutcome> outcomes;
  for (const auto& o : out->items) {
    if (!by_id.count(o.id) || seen.count(o.id)) continue;  // a target bug; never double-record
    seen[o.id] = true;
    outcomes.push_back(o);
  }
  if (auto r = record_all(by_id, outcomes, sum); !r) return r.error();
  sum.untouched = static_cast<int>(to_send.size() - seen.size());
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
