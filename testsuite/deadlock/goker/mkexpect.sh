#!/bin/sh
# mkexpect.sh NAME "CATEGORY" EXIT REGEX: writes NAME.expect (the buggy run:
# status EXIT, stderr matching REGEX) and NAME.fixed.expect (silent).
# Leaks count as errors in this suite (leaks=error).
name=$1 cat=$2 code=$3 re=$4
cat > "$name.expect" <<X
# GoKer $name ($cat): the buggy kernel is reported.
build: race
env: TANGLE_OPTIONS=leaks=error
exit: $code
stderr-search: $re
X
if [ "$5" != "nofix" ]; then
cat > "$name.fixed.expect" <<X
# GoKer $name ($cat), fixed: silent.
build: race
args: fixed
env: TANGLE_OPTIONS=leaks=error
exit: 0
stderr-not-contains: WARNING
stderr-not-contains: fatal error
X
fi
