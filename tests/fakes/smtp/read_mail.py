#!/usr/bin/python3
"""Decodes a received message with Python's own email package, as a mail client would, and
prints it as JSON: the decoded headers and each text part decoded to UTF-8. The tests assert
on this, so what they check is what a reader of the mail would see."""
import email
import email.policy
import json
import sys

with open(sys.argv[1], "rb") as f:
    msg = email.message_from_binary_file(f, policy=email.policy.default)

out = {"headers": {k: str(v) for k, v in msg.items()},
       "content_type": msg.get_content_type(), "parts": [], "defects": []}
for part in msg.walk():
    out["defects"] += [type(d).__name__ for d in part.defects]
    if part.get_content_maintype() == "text":
        out["parts"].append({"type": part.get_content_type(),
                             "charset": part.get_content_charset(),
                             "text": part.get_content()})
json.dump(out, sys.stdout, ensure_ascii=False)
