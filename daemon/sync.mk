# daemon/sync.mk — federated sync (issue 4): protocol engine and ZAP handler.
libmfcore_la_SOURCES += daemon/sync.c daemon/sync.h daemon/zap.c daemon/zap.h
