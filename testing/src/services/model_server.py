"""A model server for the services tests: stdlib only, listens on $PORT.

It loads the model under $MODEL_DIR the way a real server would start: config.json and, when
present, the safetensors header (8-byte little-endian length + JSON), counting parameters.
  GET  /healthz        200 while alive
  GET  /ready          503 until READY_AFTER_SECONDS have passed, then 200
  GET  /live           200, or 500 once FAIL_LIVENESS_AFTER seconds have passed
  POST /predict        {"model_type", "parameters", "replica", "version", "input": <the request>}
  GET  /slow?ms=N      answers after N ms
Every answer carries the replica and version it came from (AIPLAT_REPLICA, AIPLAT_SERVICE_VERSION).
EXIT_AFTER_SECONDS ends the server with code EXIT_CODE (default 1) that long after it started.
IMPORT names a module to import at start (a test's requirement installed into the version's venv).
"""
import importlib
import json
import os
import threading
import struct
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

STARTED = time.time()
MODEL_DIR = os.environ.get("MODEL_DIR", ".")
READY_AFTER = float(os.environ.get("READY_AFTER_SECONDS", "0"))
FAIL_LIVENESS_AFTER = float(os.environ.get("FAIL_LIVENESS_AFTER", "-1"))
REPLICA = os.environ.get("AIPLAT_REPLICA", "?")
VERSION = os.environ.get("AIPLAT_SERVICE_VERSION", "?")


def load_model():
    config = {}
    config_path = os.path.join(MODEL_DIR, "config.json")
    if os.path.exists(config_path):
        with open(config_path) as f:
            config = json.load(f)
    parameters = 0
    weights = os.path.join(MODEL_DIR, "model.safetensors")
    if os.path.exists(weights):
        with open(weights, "rb") as f:
            (length,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(length))
        for name, entry in header.items():
            if name == "__metadata__":
                continue
            count = 1
            for dim in entry["shape"]:
                count *= dim
            parameters += count
    return config.get("model_type", "unknown"), parameters


MODEL_TYPE, PARAMETERS = load_model()
print(f"loaded {MODEL_TYPE} with {PARAMETERS} parameters from {MODEL_DIR}", flush=True)

IMPORTED = {}
if os.environ.get("IMPORT"):
    module = importlib.import_module(os.environ["IMPORT"])
    IMPORTED = {"module": module.__name__, "file": module.__file__, "value": getattr(module, "VALUE", None)}
    print(f"imported {module.__name__} from {module.__file__}", flush=True)

if os.environ.get("EXIT_AFTER_SECONDS"):
    code = int(os.environ.get("EXIT_CODE", "1"))

    def leave():
        print(f"exiting with code {code} as EXIT_AFTER_SECONDS asks", flush=True)
        os._exit(code)

    threading.Timer(float(os.environ["EXIT_AFTER_SECONDS"]), leave).start()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        print(f"{self.command} {self.path}", flush=True)

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlparse(self.path)
        age = time.time() - STARTED
        if url.path == "/healthz":
            return self.answer(200, {"ok": True, "replica": REPLICA, "pid": os.getpid(), "imported": IMPORTED})
        if url.path == "/ready":
            return self.answer(200 if age >= READY_AFTER else 503, {"ready": age >= READY_AFTER})
        if url.path == "/live":
            failing = FAIL_LIVENESS_AFTER >= 0 and age >= FAIL_LIVENESS_AFTER
            return self.answer(500 if failing else 200, {"live": not failing})
        if url.path == "/slow":
            time.sleep(int(parse_qs(url.query).get("ms", ["1000"])[0]) / 1000)
            return self.answer(200, {"slow": True, "replica": REPLICA})
        return self.answer(200, {"path": self.path, "replica": REPLICA, "version": VERSION,
                                 "headers": {k.lower(): v for k, v in self.headers.items()}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length) if length else b""
        try:
            payload = json.loads(raw or b"null")
        except ValueError:
            return self.answer(400, {"error": "the body is not JSON"})
        return self.answer(200, {"model_type": MODEL_TYPE, "parameters": PARAMETERS, "replica": REPLICA,
                                 "version": VERSION, "input": payload})


port = int(os.environ["PORT"])
print(f"listening on {port}", flush=True)
sys.stdout.flush()
ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
