"""The live update benchmark's baseline: a bare `websockets` echo server (`python -m bench.echo_server`)."""

from __future__ import annotations

import asyncio
import os

from websockets.asyncio.server import ServerConnection, serve


async def echo(connection: ServerConnection) -> None:
    async for message in connection:
        await connection.send(message)


async def main() -> None:
    async with serve(echo, "127.0.0.1", int(os.environ["PORT"])) as server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
