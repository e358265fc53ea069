"""A stand-in training job: epochs with a falling loss, then a model and its metrics in out/.

Replace it with your own training; runJob only cares that it runs, prints, and exits.
  EPOCHS (default 3), EPOCH_SECONDS (default 1): how long it "trains".
  --fail-at-epoch N: the loss becomes NaN at epoch N and the job exits 3 (a failing run).
"""
import argparse
import hashlib
import json
import os
import sys
import time

parser = argparse.ArgumentParser()
parser.add_argument("--fail-at-epoch", type=int, default=0)
args = parser.parse_args()
epochs = int(os.environ.get("EPOCHS", "3"))
pause = float(os.environ.get("EPOCH_SECONDS", "1"))

loss = 2.0
for epoch in range(1, epochs + 1):
    time.sleep(pause)
    if epoch == args.fail_at_epoch:
        print(f"epoch {epoch}/{epochs}: loss is NaN, stopping", file=sys.stderr, flush=True)
        sys.exit(3)
    loss *= 0.5
    print(f"epoch {epoch}/{epochs} loss={loss:.4f}", flush=True)

# "Weights": 1 MiB of bytes derived from the loss, so every run's file is checkable.
os.makedirs("out", exist_ok=True)
seed = hashlib.sha256(f"{loss:.6f}".encode()).digest()
weights = b"".join(hashlib.sha256(seed + i.to_bytes(4, "big")).digest() for i in range(32768))
with open("out/model.bin", "wb") as f:
    f.write(weights)
with open("out/metrics.json", "w") as f:
    json.dump({"epochs": epochs, "loss": loss, "job": os.environ.get("JOB_ID"), "model_sha256": hashlib.sha256(weights).hexdigest()}, f)
print(f"wrote out/model.bin ({len(weights)} bytes) and out/metrics.json", flush=True)
