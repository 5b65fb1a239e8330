#!/usr/bin/python3
"""A real SMTP server on loopback for the tests: Debian's aiosmtpd, strict like a relay.

Every message the server accepts (250 to DATA) is written to --dir as NNNN.eml (the bytes as
they arrived) with NNNN.rcpt beside it (the envelope recipients, one a line). With --cert and
--key the server offers STARTTLS and refuses MAIL before it; with --auth USER:PASS it refuses
MAIL before a successful AUTH (and AUTH before STARTTLS when TLS is on). --rcpt-code
ADDR=CODE answers RCPT TO for ADDR with CODE (a 4xx or a 5xx). The bound port is written to
--port-file once the server listens. Runs with Debian's /usr/bin/python3 (python3-aiosmtpd).
"""
import argparse
import asyncio
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Recorder:
    def __init__(self, folder, rcpt_codes):
        self.folder = folder
        self.rcpt_codes = rcpt_codes
        self.count = len([n for n in os.listdir(folder) if n.endswith(".eml")])

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code = self.rcpt_codes.get(address.lower())
        if code:
            return "%d %s <%s>" % (code, "try again later" if code < 500 else "no such user", address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        stem = os.path.join(self.folder, "%04d" % self.count)
        with open(stem + ".rcpt.tmp", "w") as f:
            f.write("\n".join(envelope.rcpt_tos) + "\n")
        os.rename(stem + ".rcpt.tmp", stem + ".rcpt")
        data = envelope.original_content or envelope.content
        with open(stem + ".eml.tmp", "wb") as f:
            f.write(data)
        os.rename(stem + ".eml.tmp", stem + ".eml")
        return "250 2.0.0 Message accepted for delivery"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--auth")
    p.add_argument("--rcpt-code", action="append", default=[])
    a = p.parse_args()

    codes = {}
    for rc in a.rcpt_code:
        addr, code = rc.rsplit("=", 1)
        codes[addr.lower()] = int(code)
    handler = Recorder(a.dir, codes)

    tls = None
    if a.cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(a.cert, a.key)

    authenticator = None
    if a.auth:
        user, password = a.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
                  and auth_data.password.decode() == password)
            return AuthResult(success=ok, handled=False)

    def factory():
        return SMTP(handler, hostname="smtp.test", decode_data=False, tls_context=tls,
                    require_starttls=tls is not None, authenticator=authenticator,
                    auth_required=authenticator is not None,
                    auth_require_tls=tls is not None)

    async def serve():
        server = await asyncio.get_running_loop().create_server(factory, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        with open(a.port_file + ".tmp", "w") as f:
            f.write(str(port))
        os.rename(a.port_file + ".tmp", a.port_file)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


if __name__ == "__main__":
    sys.exit(main())
