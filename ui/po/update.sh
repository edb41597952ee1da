#!/bin/sh
# Regenerates studycast.pot from the sources (the ui's texts and whatever the
# kiosk marks with _() or N_() for sc_ui_tr) and merges it into each .po.
# Run from anywhere; translators then fill in the new msgstr lines.
set -e
cd "$(dirname "$0")/../.."
# st_tr(st, MSGID) and st_toast(st, error, MSGID, ...) are the kiosk core's
# wrappers around sc_ui_tr()
xgettext --keyword=_ --keyword=N_ --keyword=st_tr:2 --keyword=st_toast:3 --keyword=st_admin_message:3 --from-code=UTF-8 --add-comments=TRANSLATORS \
  --package-name=studycast -o ui/po/studycast.pot \
  $(find ui kiosk -name '*.c' | LC_ALL=C sort)
for po in ui/po/*.po; do
  msgmerge --quiet --update --backup=none "$po" ui/po/studycast.pot
  msgattrib --no-obsolete -o "$po" "$po"
done
