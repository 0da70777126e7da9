#!/usr/bin/env python3
"""A raw FastCGI client for tests/security/fastcgi (standard library only).

Usage: fcgi_client.py SOCKET CASE [MARKER]

It speaks FastCGI to the responder's Unix socket directly, one connection
per run, and builds every record by hand, so that it can also send what no
web server would: truncated headers, records longer than the data, unknown
record types, huge parameter sets, the CVE-2025-23016 length shape, a
STDIN stream cut short.

It prints one line, "status=<first Status: line or ->" plus what happened,
and exits 0 when the case was sent (whatever the responder made of it),
2 when the socket could not be opened, 1 on a usage error.
"""

import socket
import struct
import sys

VERSION = 1
BEGIN_REQUEST, ABORT_REQUEST, END_REQUEST, PARAMS, STDIN, STDOUT, STDERR = (
    1, 2, 3, 4, 5, 6, 7)
RESPONDER = 1
REQ_ID = 1


def record(rtype, content, req_id=REQ_ID, declared=None, padding=b""):
    """One record; declared overrides the content length in the header."""
    length = len(content) if declared is None else declared
    return struct.pack(">BBHHBx", VERSION, rtype, req_id, length,
                       len(padding)) + content + padding


def length_bytes(n, force_long=False):
    if n < 128 and not force_long:
        return bytes([n])
    return struct.pack(">I", n | 0x80000000)


def pair(name, value):
    return length_bytes(len(name)) + length_bytes(len(value)) + name + value


def begin(keep_conn=False):
    return record(BEGIN_REQUEST,
                  struct.pack(">HB5x", RESPONDER, 1 if keep_conn else 0))


def params_records(pairs):
    """PARAMS records (each at most 65535 bytes of content), then the end."""
    data = b"".join(pair(n.encode(), v.encode()) for n, v in pairs)
    return stream(PARAMS, data)


def stream(rtype, data, terminate=True):
    out = b""
    for i in range(0, len(data), 65535):
        out += record(rtype, data[i:i + 65535])
    if terminate:
        out += record(rtype, b"")
    return out


def cgi_params(body_len, path="/jobs/echo", extra=()):
    return [("REQUEST_METHOD", "POST"), ("PATH_INFO", path),
            ("SCRIPT_NAME", ""), ("REQUEST_URI", path),
            ("QUERY_STRING", ""), ("SERVER_PROTOCOL", "HTTP/1.1"),
            ("GATEWAY_INTERFACE", "CGI/1.1"), ("SERVER_NAME", "127.0.0.1"),
            ("SERVER_PORT", "80"), ("REMOTE_ADDR", "127.0.0.1"),
            ("REQUEST_SCHEME", "http"), ("HTTP_HOST", "127.0.0.1"),
            ("CONTENT_TYPE", "application/json"),
            ("CONTENT_LENGTH", str(body_len))] + list(extra)


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(8)
    try:
        s.connect(path)
    except OSError as e:
        print("connect-failed errno=%s %s" % (e.errno, e.strerror))
        sys.exit(2)
    return s


def send(s, data):
    try:
        s.sendall(data)
        return "sent"
    except OSError as e:          # the responder may already be gone
        return "send-error errno=%s" % e.errno


def read_response(s):
    """Collect STDOUT until END_REQUEST, EOF or the timeout."""
    buf, out, how = b"", b"", "eof"
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
            while len(buf) >= 8:
                _, rtype, _, clen, plen = struct.unpack(">BBHHBx", buf[:8])
                if len(buf) < 8 + clen + plen:
                    break
                content = buf[8:8 + clen]
                buf = buf[8 + clen + plen:]
                if rtype == STDOUT:
                    out += content
                elif rtype == END_REQUEST:
                    return out, "end-request"
    except socket.timeout:
        how = "timeout"
    except OSError as e:
        how = "recv-error errno=%s" % e.errno
    return out, how


def status_of(out):
    for line in out.split(b"\r\n")[:40]:
        if line.lower().startswith(b"status:"):
            return line[7:].strip().decode("latin-1")
    return "-"


def finish(s, how_sent, read=True):
    """Half-close, read what comes back, report."""
    try:
        s.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    out, how = read_response(s) if read else (b"", "not-read")
    s.close()
    print("status=%s sent=%s read=%s bytes=%d" % (
        status_of(out), how_sent, how, len(out)))
    if out:
        print(out[:200].decode("latin-1").replace("\r\n", " | "))


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 1
    path, case = sys.argv[1], sys.argv[2]
    marker = sys.argv[3] if len(sys.argv) > 3 else "x"
    s = connect(path)

    if case == "connect":                       # only whether it can open
        s.close()
        print("connected")
    elif case == "ok":                          # 1: a well-formed request
        body = b'{"raw":1}'
        finish(s, send(s, begin() + params_records(cgi_params(len(body)))
                       + stream(STDIN, body)))
    elif case == "short-header":                # 2: 3 bytes of a header
        how = send(s, begin()[:3])
        finish(s, how)
    elif case == "params-overrun":              # 3: length past the data
        body = ('{"marker":"%s"}' % marker).encode()
        data = b"".join(pair(n.encode(), v.encode())
                        for n, v in cgi_params(len(body)))
        finish(s, send(s, begin() + record(PARAMS, data,
                                           declared=len(data) + 4000)))
    elif case == "unknown-type":                # 4: type 99 around BEGIN
        body = b'{"unknown":1}'
        finish(s, send(s, record(99, b"hello", req_id=0)
                       + record(99, b"again")
                       + begin()
                       + record(99, b"\xff" * 300)
                       + params_records(cgi_params(len(body)))
                       + record(99, b"")
                       + stream(STDIN, body)))
    elif case == "many-params":                 # 5: 100000 small params
        body = b'{"many":1}'
        extra = [("HTTP_X_P%d" % i, "v") for i in range(100000)]
        finish(s, send(s, begin()
                       + params_records(cgi_params(len(body), extra=extra))
                       + stream(STDIN, body)))
    elif case == "cve-2025-23016":              # 6: 0x7ffffffe lengths
        n = 0x7ffffffe
        content = (length_bytes(n, True) + length_bytes(n, True)
                   + b"A" * 4000)
        finish(s, send(s, begin() + record(PARAMS, content)
                       + record(PARAMS, b"B" * 8000)))
    elif case == "cut-body":                    # 7: STDIN cut short
        body = ('{"marker":"%s","pad":"%s"}' % (marker, "p" * 64)).encode()
        sent = body[:len(body) // 2]
        finish(s, send(s, begin() + params_records(cgi_params(len(body)))
                       + record(STDIN, sent)))
    elif case == "cut-after-json":              # 7b: a whole JSON, then cut
        # CONTENT_LENGTH promises trailing spaces that never come: the
        # bytes that did arrive are a complete JSON document on their own.
        doc = ('{"marker":"%s"}' % marker).encode()
        finish(s, send(s, begin()
                       + params_records(cgi_params(len(doc) + 64))
                       + record(STDIN, doc)))
    else:
        print("unknown case %s" % case)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
