# The two commands a newcomer needs (see README.md):
#   make demo   set up and run the demo on the embedded default (SQLite + local folder)
#   make test   set up and run every test (SQLite, then PostgreSQL; real Ceph RGW and TSA)
.PHONY: demo test setup lock bench

demo:
	@scripts/setup.sh
	.venv/bin/svidok demo --home demo-home

test:
	@scripts/test.sh

setup:
	@scripts/setup.sh --test

lock:
	.venv/bin/python -m uv pip compile requirements.in -o requirements.lock --python-version 3.11 --generate-hashes -q

bench:
	.venv/bin/python bench/ledger.py
