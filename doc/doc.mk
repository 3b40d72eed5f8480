# doc/doc.mk — documentation installed with the node.
#
# The glossary goes to $(docdir) for plugin authors: the identifiers a
# plugin maps Russian spellings onto (plugins/mentorfed-plugin.pc names
# its installed path as `glossary`, next to `protodir` for records.proto).
dist_doc_DATA = doc/GLOSSARY.md
