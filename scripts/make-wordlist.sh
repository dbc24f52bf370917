#!/usr/bin/env bash
# Regenerates stages/data/english-words.txt, the word list the dehyphenation
# stage uses to decide whether `Secre-\ntary` is one word broken at a line end.
#
# Source: SCOWL (Spell Checker Oriented Word Lists, Kevin Atkinson) as packaged
# by Debian in `wamerican` and `wbritish` (UN documents use British spelling,
# older corpora often American). Licence: stages/data/english-words.LICENSE.
#
# Kept: words of four or more ASCII letters, lowercased, deduplicated, sorted
# in byte order (the stage binary-searches nothing; it loads a hash set, but a
# sorted file diffs well).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f /usr/share/dict/american-english ] || [ ! -f /usr/share/dict/british-english ]; then
  apt-get install -y -qq wamerican wbritish >/dev/null
fi
cat /usr/share/dict/american-english /usr/share/dict/british-english \
  | tr 'A-Z' 'a-z' | grep -E '^[a-z]{4,}$' | LC_ALL=C sort -u > stages/data/english-words.txt
wc -l stages/data/english-words.txt
