#!/usr/bin/env python3
"""HTTP/1.1 parsing and request-smuggling probe against a running gateway (or any proxy):
each case is sent on a fresh connection and the first status answered is compared with
the statuses RFC 9110/9112 allow for it. Prints one line per case and the number of
unexpected answers. The gateway's own regression tests for these shapes are in
Tests/ProxyTests/FramingTests.swift; this is for checking a deployment or a peer.

    bench/http-probe.py [PORT=18090]
"""
import re
import socket
import sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 18090


def go(data, t=1.0):
    s = socket.create_connection(("127.0.0.1", PORT)); s.settimeout(t)
    s.sendall(data); out = b""
    try:
        while True:
            d = s.recv(65536)
            if not d: break
            out += d
    except Exception: pass
    return [int(x) for x in re.findall(rb"HTTP/1\.[01] (\d\d\d)", out)]
H=b"Host: a\r\n"
cases = {
 "CL+TE": (b"POST / HTTP/1.1\r\n"+H+b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", [400]),
 "dup CL same": (b"POST / HTTP/1.1\r\n"+H+b"Content-Length: 2\r\nContent-Length: 2\r\n\r\nab", [400]),
 "CL list": (b"POST / HTTP/1.1\r\n"+H+b"Content-Length: 2, 2\r\n\r\nab", [400]),
 "CL plus": (b"POST / HTTP/1.1\r\n"+H+b"Content-Length: +2\r\n\r\nab", [400]),
 "CL neg": (b"POST / HTTP/1.1\r\n"+H+b"Content-Length: -1\r\n\r\nab", [400]),
 "CL hex": (b"POST / HTTP/1.1\r\n"+H+b"Content-Length: 0x2\r\n\r\nab", [400]),
 "CL leading zeros": (b"POST / HTTP/1.1\r\n"+H+b"Content-Length: 002\r\n\r\nab", [200]),
 "CL space inside": (b"POST / HTTP/1.1\r\n"+H+b"Content-Length: 1 2\r\n\r\nab", [400]),
 "CL huge": (b"POST / HTTP/1.1\r\n"+H+b"Content-Length: 99999999999999999999999\r\n\r\nab", [400, 413]),
 "TE xchunked": (b"POST / HTTP/1.1\r\n"+H+b"Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", [400, 501]),
 "TE chunked,chunked": (b"POST / HTTP/1.1\r\n"+H+b"Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", [400, 501]),
 "TE gzip only": (b"POST / HTTP/1.1\r\n"+H+b"Transfer-Encoding: gzip\r\n\r\n0\r\n\r\n", [400, 501]),
 "TE space-prefix name": (b"POST / HTTP/1.1\r\n"+H+b" Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", [400]),
 "TE name space colon": (b"POST / HTTP/1.1\r\n"+H+b"Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", [400]),
 "TE tab value": (b"POST / HTTP/1.1\r\n"+H+b"Transfer-Encoding:\tchunked\r\n\r\n0\r\n\r\n", [200]),
 "TE CHUNKED upper": (b"POST / HTTP/1.1\r\n"+H+b"Transfer-Encoding: CHUNKED\r\n\r\n0\r\n\r\n", [200]),
 "TE in 1.0": (b"POST / HTTP/1.0\r\n"+H+b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", [400]),
 "TE dup headers": (b"POST / HTTP/1.1\r\n"+H+b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", [400, 200]),
 "chunk size bad": (b"POST / HTTP/1.1\r\n"+H+b"Transfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n", [400]),
 "chunk size 0x": (b"POST / HTTP/1.1\r\n"+H+b"Transfer-Encoding: chunked\r\n\r\n0x2\r\nab\r\n0\r\n\r\n", [400]),
 "chunk size space": (b"POST / HTTP/1.1\r\n"+H+b"Transfer-Encoding: chunked\r\n\r\n 2\r\nab\r\n0\r\n\r\n", [400]),
 "chunk size overflow": (b"POST / HTTP/1.1\r\n"+H+b"Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFF2\r\nab\r\n0\r\n\r\n", [400, 413]),
 "chunk missing CRLF": (b"POST / HTTP/1.1\r\n"+H+b"Transfer-Encoding: chunked\r\n\r\n2\r\nabX0\r\n\r\n", [400]),
 "chunk ext ok": (b"POST / HTTP/1.1\r\n"+H+b"Transfer-Encoding: chunked\r\n\r\n2;a=b\r\nab\r\n0\r\n\r\n", [200]),
 "chunk ext bare LF": (b"POST / HTTP/1.1\r\n"+H+b"Transfer-Encoding: chunked\r\n\r\n2;a\nb\r\nab\r\n0\r\n\r\n", [400]),
 "chunk LF only": (b"POST / HTTP/1.1\r\n"+H+b"Transfer-Encoding: chunked\r\n\r\n2\nab\n0\n\n", [400]),
 "trailer ok": (b"POST / HTTP/1.1\r\n"+H+b"Transfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\nX-T: 1\r\n\r\n", [200]),
 "no host 1.1": (b"GET / HTTP/1.1\r\n\r\n", [400]),
 "dup host": (b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", [400]),
 "host userinfo": (b"GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", [400]),
 "host bad char": (b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", [400]),
 "host empty 1.1": (b"GET / HTTP/1.1\r\nHost:\r\n\r\n", [400, 200]),
 "no host 1.0": (b"GET / HTTP/1.0\r\n\r\n", [200]),
 "abs-form host mismatch": (b"GET http://b/x HTTP/1.1\r\nHost: a\r\n\r\n", [200, 400]),
 "obs-fold": (b"GET / HTTP/1.1\r\n"+H+b"X-A: a\r\n b\r\n\r\n", [400]),
 "name space colon": (b"GET / HTTP/1.1\r\n"+H+b"X-A : a\r\n\r\n", [400]),
 "no colon": (b"GET / HTTP/1.1\r\n"+H+b"X-A a\r\n\r\n", [400]),
 "empty name": (b"GET / HTTP/1.1\r\n"+H+b": a\r\n\r\n", [400]),
 "NUL in value": (b"GET / HTTP/1.1\r\n"+H+b"X-A: a\x00b\r\n\r\n", [400]),
 "bare CR value": (b"GET / HTTP/1.1\r\n"+H+b"X-A: a\rb\r\n\r\n", [400]),
 "CTL in value": (b"GET / HTTP/1.1\r\n"+H+b"X-A: a\x01b\r\n\r\n", [400]),
 "DEL in value": (b"GET / HTTP/1.1\r\n"+H+b"X-A: a\x7fb\r\n\r\n", [400]),
 "obs-text value": (b"GET / HTTP/1.1\r\n"+H+b"X-A: a\xe9b\r\n\r\n", [200]),
 "LF-only lines": (b"GET / HTTP/1.1\n"+b"Host: a\n\n", [400, 200]),
 "http/1.1 lower": (b"GET / http/1.1\r\n"+H+b"\r\n", [400]),
 "HTTP/2.0": (b"GET / HTTP/2.0\r\n"+H+b"\r\n", [400, 505]),
 "HTTP/1.2": (b"GET / HTTP/1.2\r\n"+H+b"\r\n", [200, 505, 400]),
 "HTTP/0.9": (b"GET /\r\n\r\n", [400]),
 "HTTP/3.1": (b"GET / HTTP/3.1\r\n"+H+b"\r\n", [400, 505]),
 "method lower": (b"get / HTTP/1.1\r\n"+H+b"\r\n", [200, 400, 405, 501]),
 "ext method": (b"PURGE / HTTP/1.1\r\n"+H+b"\r\n", [200]),
 "method bad char": (b"G(T / HTTP/1.1\r\n"+H+b"\r\n", [400]),
 "target space": (b"GET /a b HTTP/1.1\r\n"+H+b"\r\n", [400]),
 "target CTL": (b"GET /a\x01b HTTP/1.1\r\n"+H+b"\r\n", [400]),
 "target empty": (b"GET  HTTP/1.1\r\n"+H+b"\r\n", [400]),
 "target *": (b"OPTIONS * HTTP/1.1\r\n"+H+b"\r\n", [200, 404, 400]),
 "target no slash": (b"GET abc HTTP/1.1\r\n"+H+b"\r\n", [400]),
 "leading CRLF": (b"\r\nGET / HTTP/1.1\r\n"+H+b"\r\n", [200]),
 "GET with body CL": (b"GET / HTTP/1.1\r\n"+H+b"Content-Length: 2\r\n\r\nab", [200]),
 "expect 100": (b"POST / HTTP/1.1\r\n"+H+b"Expect: 100-continue\r\nContent-Length: 2\r\n\r\nab", [100, 200]),
 "expect weird": (b"POST / HTTP/1.1\r\n"+H+b"Expect: foo\r\nContent-Length: 2\r\n\r\nab", [417, 200]),
 "huge header": (b"GET / HTTP/1.1\r\n"+H+b"X-A: "+b"a"*70000+b"\r\n\r\n", [431, 400]),
 "many headers": (b"GET / HTTP/1.1\r\n"+H+b"".join(b"X-%d: a\r\n"%i for i in range(5000))+b"\r\n", [431, 400]),
 "CONNECT": (b"CONNECT a:443 HTTP/1.1\r\n"+H+b"\r\n", [400, 405, 501, 404]),
 "upgrade h2c": (b"GET / HTTP/1.1\r\n"+H+b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n", [200]),
 "CL smuggle pipelined": (b"POST / HTTP/1.1\r\n"+H+b"Content-Length: 6\r\nContent-Length: 5\r\n\r\n12345GET /evil HTTP/1.1\r\n"+H+b"\r\n", [400]),
 "TE.CL": (b"POST / HTTP/1.1\r\n"+H+b"Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\nGPOST / HTTP/1.1\r\n\r\n0\r\n\r\n", [400]),
 "null in name": (b"GET / HTTP/1.1\r\n"+H+b"X\x00A: a\r\n\r\n", [400]),
 "name with slash": (b"GET / HTTP/1.1\r\n"+H+b"X/A: a\r\n\r\n", [400]),
 "trailer with CL": (b"POST / HTTP/1.1\r\n"+H+b"Transfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 5\r\n\r\n", [200, 400]),
}
bad = 0
for name, (req, ok) in cases.items():
    got = go(req)
    flag = "" if got and got[0] in ok else "  <-- UNEXPECTED"
    if flag: bad += 1
    print(f"{name:26s} got {got} want {ok}{flag}")
print("unexpected:", bad)
sys.exit(1 if bad else 0)
