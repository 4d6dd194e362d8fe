#!/usr/bin/python3
"""A CDU-like Modbus TCP server for tests, on Debian's python3-pymodbus (3.0).

Usage: modbus_cdu_server.py PORT

Register map (unit id 1, zero-based addresses, each register big-endian as Modbus has it):
  input registers (FC 4)
    0-1  supply temperature, float32, high word first (ABCD)          °C
    2-3  return temperature, float32, LOW word first (CDAB)           °C
    4    secondary flow, uint16, 0.1 L/min per count                 L/min
    5    differential pressure, int16, 0.01 bar per count (signed)    bar
    6-7  energy, uint32, high word first                              kWh
    8-9  heat balance, int32, high word first (signed)                W
  holding registers (FC 3)
    0    pump state, uint16 (0 stopped, 1 running, 2 fault)
  coils (FC 1)
    0    leak detected

Commands on stdin, one a line, change the map while it serves:
  coil ADDRESS 0|1
  input ADDRESS WORD[,WORD...]
  holding ADDRESS WORD[,WORD...]
The server prints "listening PORT" once the socket accepts connections.
"""
import asyncio
import struct
import sys
import threading

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncTcpServer


def float_words(value, low_word_first=False):
    high, low = struct.unpack(">HH", struct.pack(">f", value))
    return [low, high] if low_word_first else [high, low]


def u32_words(value):
    value &= 0xFFFFFFFF
    return [value >> 16, value & 0xFFFF]


INPUTS = (
    float_words(18.5)                       # 0-1 supply 18.5 °C
    + float_words(27.25, low_word_first=True)  # 2-3 return 27.25 °C, CDAB
    + [1234]                                # 4 flow 123.4 L/min
    + [(-12) & 0xFFFF]                      # 5 dP -0.12 bar
    + u32_words(123456)                     # 6-7 energy 123456 kWh
    + u32_words(-50000)                     # 8-9 heat balance -50000 W
)


def main():
    port = int(sys.argv[1])
    store = ModbusSlaveContext(
        co=ModbusSequentialDataBlock(0, [0] * 16),
        di=ModbusSequentialDataBlock(0, [0] * 16),
        ir=ModbusSequentialDataBlock(0, INPUTS + [0] * 6),
        hr=ModbusSequentialDataBlock(0, [1] + [0] * 15),
        zero_mode=True,
    )
    context = ModbusServerContext(slaves={1: store}, single=False)
    tables = {"coil": 1, "holding": 3, "input": 4}

    def commands():
        for line in sys.stdin:
            parts = line.split()
            if len(parts) != 3 or parts[0] not in tables:
                print(f"bad command: {line.strip()}", flush=True)
                continue
            values = [int(v) for v in parts[2].split(",")]
            store.setValues(tables[parts[0]], int(parts[1]), values)
            print(f"ok {line.strip()}", flush=True)

    threading.Thread(target=commands, daemon=True).start()

    async def serve():
        server = await StartAsyncTcpServer(context=context, address=("127.0.0.1", port), defer_start=True)
        task = asyncio.create_task(server.serve_forever())
        await server.serving
        print(f"listening {port}", flush=True)
        await task

    asyncio.run(serve())


if __name__ == "__main__":
    main()
