"""A small TensorBoard summary writer for tests (TensorBoard, tensorboardX and TensorFlow cannot be
installed where they run): events.out.tfevents.* files of TFRecords (length, masked CRC32C of the
length, Event bytes, masked CRC32C of the data) holding Event{wall_time, step, summary{value{tag,
simple_value}}} as PyTorch's SummaryWriter writes scalars. Import it from a job with
PYTHONPATH=<this folder>, or run `python3 summary_writer.py DIR TAG STEPS` to write a series."""
import os
import socket
import struct
import sys
import time

_POLY = 0x82F63B78
_TABLE = []
for _n in range(256):
    _c = _n
    for _ in range(8):
        _c = (_c >> 1) ^ _POLY if _c & 1 else _c >> 1
    _TABLE.append(_c)


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc(data):
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _varint(value):
    out = bytearray()
    value &= (1 << 64) - 1
    while True:
        bits = value & 0x7F
        value >>= 7
        if value:
            out.append(bits | 0x80)
        else:
            out.append(bits)
            return bytes(out)


def _field(number, wire, payload):
    return _varint((number << 3) | wire) + payload


def _length_delimited(number, payload):
    return _field(number, 2, _varint(len(payload)) + payload)


def scalar_event(tag, step, value, wall_time=None):
    summary_value = _length_delimited(1, tag.encode()) + _field(2, 5, struct.pack("<f", value))
    summary = _length_delimited(1, summary_value)
    event = _field(1, 1, struct.pack("<d", time.time() if wall_time is None else wall_time))
    event += _field(2, 0, _varint(step)) + _length_delimited(5, summary)
    return event


def record(data):
    header = struct.pack("<Q", len(data))
    return header + struct.pack("<I", masked_crc(header)) + data + struct.pack("<I", masked_crc(data))


class SummaryWriter:
    """Appends scalar events to one new event file in `log_dir`, flushed after each one."""

    def __init__(self, log_dir):
        os.makedirs(log_dir, exist_ok=True)
        name = "events.out.tfevents.%d.%s.%d.0" % (int(time.time()), socket.gethostname(), os.getpid())
        self.path = os.path.join(log_dir, name)
        self._file = open(self.path, "ab")

    def add_scalar(self, tag, value, step):
        self._file.write(record(scalar_event(tag, step, value)))
        self._file.flush()

    def close(self):
        self._file.close()


if __name__ == "__main__":
    log_dir, tag, steps = sys.argv[1], sys.argv[2], int(sys.argv[3])
    writer = SummaryWriter(log_dir)
    for step in range(1, steps + 1):
        writer.add_scalar(tag, 1.0 / step, step)
    writer.close()
