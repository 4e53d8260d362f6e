"""pymodbus as a Modbus RTU slave on a serial line, for the driver's serial (transport rtu) test.

Two pseudo-terminals joined by a copying loop stand in for an RS-485 cable: pymodbus listens on
one end, the driver opens the other. Prints the driver's end ("PORT /dev/pts/N") once ready.
    /usr/bin/python3 pymodbus_serial.py
Units as in pymodbus_server.py (1 GenComm generator, 2 small map, 3 raising, 4 fifty registers).
"""
import asyncio
import os
import pty
import select
import threading
import tty

import pymodbus_server as maps
from pymodbus.server import StartAsyncSerialServer
from pymodbus.transaction import ModbusRtuFramer


def bridge(a, b):
    while True:
        ready, _, _ = select.select([a, b], [], [])
        for src in ready:
            try:
                data = os.read(src, 4096)
            except OSError:
                return
            os.write(b if src == a else a, data)


def main():
    m1, s1 = pty.openpty()
    m2, s2 = pty.openpty()
    for fd in (s1, s2):
        tty.setraw(fd)
    threading.Thread(target=bridge, args=(m1, m2), daemon=True).start()
    print("PORT", os.ttyname(s2), flush=True)
    asyncio.run(
        StartAsyncSerialServer(
            context=maps.context(), framer=ModbusRtuFramer, port=os.ttyname(s1), baudrate=9600, timeout=0.005
        )
    )


if __name__ == "__main__":
    main()
