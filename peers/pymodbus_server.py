"""A pymodbus TCP server with a known register map, for the Modbus driver's conformance test.

Run with the Debian interpreter (/usr/bin/python3, python3-pymodbus):
    /usr/bin/python3 pymodbus_server.py PORT [rtu]
With "rtu" it speaks RTU frames over TCP (a transparent serial gateway) instead of Modbus TCP.
Units:
  1  a DSE GenComm controller (holding registers; values written here independently of the
     TypeScript simulator, see EXPECTED in drivers/modbus/pymodbus.test.ts)
  2  a unit whose map holds only registers 0-9: anything else is exception 2 (illegal address)
  3  a unit whose store raises: exception 4 (server device failure)
  5  a GenComm controller without the page-8 alarm list (registers end at 2048: reading 2049+
     is exception 2), whose status register says stopped while the engine turns at 1500 rpm
  4  fifty holding registers 0-49 = 1000+i (for bench/modbus.ts), input registers 2000+i,
     coils 0-19 on where i % 3 == 0, discrete inputs 0-19 on where i is odd
  any other unit: exception 11 (gateway target failed to respond); with "rtu", no answer at all
"""
import asyncio
import logging
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncTcpServer
from pymodbus.transaction import ModbusRtuFramer, ModbusSocketFramer

logging.basicConfig(level=logging.CRITICAL)
logging.getLogger("pymodbus").setLevel(logging.CRITICAL)


def gencomm():
    regs = [0xFFFF] * 2200  # GenComm "unimplemented" everywhere not set below
    def put(addr, *words):
        for i, w in enumerate(words):
            regs[addr + i] = w & 0xFFFF
    put(772, 2)  # manual mode
    put(1025, -5)  # coolant -5 degC (signed)
    put(1027, 64)  # fuel 64 %
    put(1029, 128)  # battery 12.8 V
    put(1031, 501)  # 50.1 Hz
    put(1032, 0, 2304)  # L1 230.4 V (u32, high word first)
    put(1034, 0, 2310)
    put(1036, 0, 2299)
    put(1408, 3)  # running
    put(1558, 612)  # load 61.2 %
    put(1798, 360000 >> 16, 360000 & 0xFFFF)  # 100 h in seconds
    put(1808, 0, 77)  # 77 starts
    put(2048, 1)  # one active alarm
    for r in range(25):
        put(2049 + r, 0x1111)  # all "not active"
    put(2050, 0x1121)  # alarm index 6 (fail to start) at warning level
    # oil pressure (1024) stays 0xFFFF: unimplemented, must not become a sample
    return ModbusSequentialDataBlock(0, regs)


def gencomm_without_alarms():
    regs = [0xFFFF] * 2049  # nothing from 2049 on: the alarm page is not there
    def put(addr, *words):
        for i, w in enumerate(words):
            regs[addr + i] = w & 0xFFFF
    put(772, 1)  # auto
    put(1024, 352)  # oil pressure 352 kPa
    put(1027, 80)  # fuel 80 %
    put(1030, 1500)  # engine speed 1500 rpm
    put(1031, 500)  # 50.0 Hz
    put(1059, 499)  # mains 49.9 Hz
    put(1060, 0, 2287)  # mains L1 228.7 V (u32)
    put(1062, 0, 2301)
    put(1064, 0, 2295)
    put(1408, 0)  # status register: stopped, although the engine turns
    put(1798, 0, 7200)  # 2 h
    put(1808, 0, 12)
    return ModbusSequentialDataBlock(0, regs)


class Exploding(ModbusSequentialDataBlock):
    def getValues(self, address, count=1):
        raise RuntimeError("sensor board fault")


def context():
    slaves = {
        1: ModbusSlaveContext(hr=gencomm(), zero_mode=True),
        2: ModbusSlaveContext(hr=ModbusSequentialDataBlock(0, [7] * 10), zero_mode=True),
        3: ModbusSlaveContext(hr=Exploding(0, [0] * 100), zero_mode=True),
        5: ModbusSlaveContext(hr=gencomm_without_alarms(), zero_mode=True),
        4: ModbusSlaveContext(
            hr=ModbusSequentialDataBlock(0, [1000 + i for i in range(50)]),
            ir=ModbusSequentialDataBlock(0, [2000 + i for i in range(50)]),
            co=ModbusSequentialDataBlock(0, [i % 3 == 0 for i in range(20)]),
            di=ModbusSequentialDataBlock(0, [i % 2 == 1 for i in range(20)]),
            zero_mode=True,
        ),
    }
    return ModbusServerContext(slaves=slaves, single=False)


def main():
    port = int(sys.argv[1])
    rtu = sys.argv[2:3] == ["rtu"]
    # On an RTU line a unit that is not there is silent; a Modbus TCP gateway answers exception 11.
    asyncio.run(
        StartAsyncTcpServer(
            context=context(),
            address=("127.0.0.1", port),
            framer=ModbusRtuFramer if rtu else ModbusSocketFramer,
            ignore_missing_slaves=rtu,
        )
    )


if __name__ == "__main__":
    main()
