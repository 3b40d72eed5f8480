# tests/sync.mk — multi-node sync tests (issue 4).  Each starts real
# mentorfedd processes on loopback on kernel-chosen free ports (see
# tests/sync_lib.sh), so parallel runs do not collide.  sync_peer.sh drives
# tests/peer.py (python3-zmq, python3-protobuf, python3-cryptography) and
# generates records_pb2.py / wire_pb2.py with protoc into its temporary
# directory at run time.
SYNC_TESTS = tests/sync_two.sh tests/sync_faults.sh tests/sync_peer.sh tests/sync_bulk.sh
TESTS += $(SYNC_TESTS)
EXTRA_DIST += $(SYNC_TESTS) tests/sync_lib.sh tests/peer.py
