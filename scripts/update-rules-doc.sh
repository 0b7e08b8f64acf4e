#!/bin/sh
# Refresh the generated tables of docs/rules.md (between <!-- fields:begin --> and
# <!-- fields:end -->) from `vigil rules fields --markdown`. tests/unit/test_rules_docs.c fails
# until this is run after the field catalogue or the event type table changes.
#   usage: scripts/update-rules-doc.sh [VIGIL_BINARY] [DOC]
set -eu
vigil=${1:-build/vigil}
doc=${2:-docs/rules.md}
tbl=$(mktemp)
out=$(mktemp)
trap 'rm -f "$tbl" "$out"' EXIT

"$vigil" rules fields --markdown >"$tbl"
grep -q '^<!-- fields:begin -->$' "$doc" && grep -q '^<!-- fields:end -->$' "$doc" || {
	echo "$doc: no <!-- fields:begin --> / <!-- fields:end --> lines" >&2
	exit 1
}
awk -v tbl="$tbl" '
	/^<!-- fields:begin -->$/ { print; print ""; while ((getline l < tbl) > 0) print l; print ""; skip = 1; next }
	/^<!-- fields:end -->$/ { skip = 0 }
	!skip { print }
' "$doc" >"$out"
cat "$out" >"$doc"
