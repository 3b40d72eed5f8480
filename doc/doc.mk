# doc/doc.mk — documentation installed with the node.
