#!/usr/bin/env python3
"""Interop client for websocket/interop_test.go (python3-websockets).

    interop_client.py URL on|off

Talks to volt's echo server at URL/echo and URL/close, with
permessage-deflate offered (on) or not (off), and prints one JSON object
per check on stdout.
"""
import asyncio
import json
import os
import sys

import websockets


def report(**kw):
    print(json.dumps(kw), flush=True)


async def main(base, compression):
    comp = "deflate" if compression == "on" else None
    async with websockets.connect(base + "/echo", compression=comp, max_size=None) as ws:
        report(check="extensions", value=[type(e).__name__ for e in ws.extensions])
        await ws.send("hello, κόσμε")
        got = await ws.recv()
        report(check="text", ok=got == "hello, κόσμε", value=got)
        data = bytes(range(256)) * 4
        await ws.send(data)
        got = await ws.recv()
        report(check="binary", ok=got == data)
        big = os.urandom(1 << 19) + b"x" * (1 << 19)  # 1 MiB, half compressible
        await ws.send(big)
        got = await ws.recv()
        report(check="1MiB", ok=got == big, size=len(got))
        await ws.send([b"frag", b"mented"])  # a fragmented message
        got = await ws.recv()
        report(check="fragmented", ok=got == b"fragmented")
        pong = await ws.ping(b"p")
        await asyncio.wait_for(pong, 5)
        report(check="ping", ok=True)
        await ws.close(code=4000, reason="client bye")
        report(check="client close", code=ws.close_code, reason=ws.close_reason)

    async with websockets.connect(base + "/close", compression=comp) as ws:
        try:
            await ws.recv()
            report(check="server close", code=None)
        except websockets.ConnectionClosed as e:
            report(check="server close", code=e.rcvd.code, reason=e.rcvd.reason)


asyncio.run(asyncio.wait_for(main(sys.argv[1], sys.argv[2]), 60))
