# daemon/sync.mk — federated sync (issue 4): protocol engine and ZAP handler.
libmfcore_la_SOURCES += daemon/sync.c daemon/zap.c daemon/zap.h
