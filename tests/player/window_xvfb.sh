#!/bin/sh
# A real window under Xvfb, looked at: the picture is drawn where the video
# goes and the bars around it stay black. A 16:9 anamorphic 720x576 stream
# fullscreen on a 4:3 screen is letterboxed (bars above and below); a 4:3
# 720x576 stream on a 16:9 screen is pillarboxed (bars left and right).
studycast=$1 ffmpeg=$2 work=$3
mkdir -p "$work"
. "$(dirname "$0")/lib.sh"

# a bright picture (mid-grey and up everywhere), so that "drawn" is unambiguous
bright="color=c=0xC0C0C0:size=720x576:rate=25,drawbox=x=0:y=0:w=360:h=576:color=0xF0A040:t=fill"
fixture wide.ts -f lavfi -i "$bright" -t 4 -vf setdar=16/9 -c:v mpeg2video -b:v 2M -f mpegts
fixture narrow.ts -f lavfi -i "$bright" -t 4 -vf setdar=4/3 -c:v mpeg2video -b:v 2M -f mpegts

# mean brightness (0..1) of a region of a screenshot: W H X Y
mean() {
  convert "$shot" -crop "$1x$2+$3+$4" +repage -colorspace Gray -format "%[fx:mean]" info:
}
bright_at() { # W H X Y LABEL
  m=$(mean "$1" "$2" "$3" "$4")
  "$python" -c "import sys; sys.exit(0 if $m > 0.5 else 1)" || fail "$5 is not drawn (mean $m)"
}
black_at() { # W H X Y LABEL
  m=$(mean "$1" "$2" "$3" "$4")
  "$python" -c "import sys; sys.exit(0 if $m < 0.02 else 1)" || fail "$5 is not black (mean $m)"
}

# SCREEN STREAM: plays fullscreen for 4 s, screenshot after 2.5 s
shoot() {
  shot="$work/$2-$1.png"
  xvfb-run -a -s "-screen 0 ${1}x24 -nolisten tcp" sh -c '
    SDL_AUDIODRIVER=dummy "$1" play --no-audio --stats "$2.json" "$3" 2>"$2.log" &
    pid=$!
    sleep 2.5
    import -window root "$2"
    wait $pid' sh "$studycast" "$shot" "$work/$2.ts" || fail "play under Xvfb failed"
  [ -s "$shot" ] || fail "no screenshot"
  check "$shot.json" "s['frames_presented'] > 50" "$2 on $1: too few pictures" \
    "s['renderer'].startswith('software') or s['renderer'].startswith('gpu')" "renderer"
}

# 16:9 on 800x600: picture 800x450 at y=75, bars of 75 above and below
shoot 800x600 wide
bright_at 760 400 20 100 "the 16:9 picture"
black_at 800 60 0 5 "the bar above"
black_at 800 60 0 535 "the bar below"
# the picture's left half is orange, its right half grey: the frame is not stretched
# or mirrored (orange is darker in grey than 0xC0 grey? both > 0.5; check hue)
left=$(convert "$shot" -crop "300x300+50+150" +repage -format "%[fx:mean.b]" info:)
right=$(convert "$shot" -crop "300x300+450+150" +repage -format "%[fx:mean.b]" info:)
"$python" -c "import sys; sys.exit(0 if $left < $right - 0.2 else 1)" ||
  fail "the orange half is not on the left (blue $left vs $right)"

# 4:3 on 1024x576: picture 768x576 at x=128, bars of 128 left and right
shoot 1024x576 narrow
bright_at 700 540 162 18 "the 4:3 picture"
black_at 110 576 5 0 "the bar on the left"
black_at 110 576 909 0 "the bar on the right"
echo "ok"
