package article

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// ParseDate parses a date in one of the shapes found in news articles and
// returns it in loc (nil means [DefaultLocation]), unless the string carries
// its own offset. Surrounding white space is ignored, and inner runs of
// white space count as one space.
//
//	shape                              example
//	Y-M-D, Y/M/D, Y.M.D                2022-09-23, 2022/9/23, 2022.09.23, 2005-5-7
//	  plus h:mm or h:mm:ss[.frac]      2022/09/23 14:05, 2023-04-01 08:30:00, 2004-09-17 5:54:13
//	RFC 3339                           2023-04-01T08:30:00+08:00, 2023-04-01T00:30:00.5Z
//	Chinese Y年M月D日                  2022年9月23日, 2022年9月23日 14:05, 2022年09月23日14时05分
//	Chinese Y年M月, Y年                 2022年9月 (1st of the month), 2022年 (1 January)
//	Reuters D-MON-Y [h:mm:ss.frac]     26-FEB-1987 15:07:13.72, 2-Jan-2006 (month name in any case)
//	RFC 1123, with or without weekday  Mon, 02 Jan 2006 15:04:05 -0700, 2 Jan 2006 15:04:05 GMT
//	English month names                Jan 2, 2006, January 2, 2006, 2 January 2006, 2 Jan 2006
//	year and month                     1998-3, 2003-05, 2003/05 (1st of the month)
//	year                               2018 (1 January)
//
// Reuters-21578 dates sometimes end in one- or two-letter codes after the
// time ("27-MAR-1987 00:03:35.68F", "… 03:48:23.00F RM"); they are ignored.
//
// ParseDate returns a [*DateError] for an empty string, a shape it does not
// know, or a date that does not exist (2022-02-30, month 13, hour 24).
// It does not treat placeholders such as "UNKNOWN" specially; [Parse] does.
func ParseDate(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = DefaultLocation()
	}
	in := s
	s = strings.Join(strings.FieldsFunc(s, isSpace), " ")
	if s == "" {
		return time.Time{}, &DateError{Input: in}
	}
	for _, sh := range dateShapes {
		m := sh.re.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		t, reason, ok := sh.build(m, loc)
		if !ok {
			continue
		}
		if reason != "" {
			return time.Time{}, &DateError{Input: in, Reason: reason}
		}
		return t, nil
	}
	for _, layout := range englishLayouts {
		t, err := time.ParseInLocation(layout, s, loc)
		if err == nil {
			if t.Year() < minYear {
				return time.Time{}, &DateError{Input: in, Reason: fmt.Sprintf("year %d out of range", t.Year())}
			}
			return t, nil
		}
		var pe *time.ParseError
		if errors.As(err, &pe) && strings.Contains(pe.Message, "out of range") {
			// The layout matched but a value is out of range.
			return time.Time{}, &DateError{Input: in, Reason: strings.TrimPrefix(pe.Message, ": ")}
		}
	}
	return time.Time{}, &DateError{Input: in}
}

// englishLayouts are tried with time.ParseInLocation after the regular
// shapes; month and weekday names match in any case.
var englishLayouts = []string{
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 2006 15:04 -0700",
	"Mon, 2 Jan 2006 15:04 MST",
	"2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05 MST",
	"Jan 2, 2006",
	"January 2, 2006",
	"Jan 2 2006",
	"January 2 2006",
	"2 Jan 2006",
	"2 January 2006",
	"Jan. 2, 2006",
}

type dateShape struct {
	re *regexp.Regexp
	// build returns the time, or a reason the date is impossible, or
	// ok=false when the match is not really this shape.
	build func(m []string, loc *time.Location) (t time.Time, reason string, ok bool)
}

// minYear is the earliest year ParseDate accepts: earlier ones are typos
// or placeholders such as 0000-00-00, and 0001-01-01 UTC is Go's zero time,
// which means "no date".
const minYear = 1000

const timePart = `(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?`

var dateShapes = []dateShape{
	{ // 2022-09-23, 2022/9/23 14:05, 2023-04-01T08:30:00+08:00
		re: regexp.MustCompile(`^(\d{4})([-./])(\d{1,2})([-./])(\d{1,2})(?:(?:[Tt]| )` + timePart + ` ?([Zz]|[+-]\d{2}:?\d{2})?)?$`),
		build: func(m []string, loc *time.Location) (time.Time, string, bool) {
			if m[2] != m[4] {
				return time.Time{}, "", false
			}
			if m[10] != "" {
				z, reason := zone(m[10])
				if reason != "" {
					return time.Time{}, reason, true
				}
				loc = z
			}
			t, reason := makeDate(m[1], m[3], m[5], m[6], m[7], m[8], m[9], loc)
			return t, reason, true
		},
	},
	{ // 2022年9月23日 14:05, 2022年09月23日14时05分, 2022年9月, 2022年
		re: regexp.MustCompile(`^(\d{4}) ?年(?: ?(\d{1,2}) ?月(?: ?(\d{1,2}) ?[日号號]?(?: ?(\d{1,2}) ?[:：时時点點] ?(\d{1,2})(?: ?分)?(?: ?[:：] ?(\d{1,2})| ?(\d{1,2}) ?秒)?)?)?)?$`),
		build: func(m []string, loc *time.Location) (time.Time, string, bool) {
			mon, day := m[2], m[3]
			if mon == "" {
				mon = "1"
			}
			if day == "" {
				day = "1"
			}
			sec := m[6]
			if sec == "" {
				sec = m[7]
			}
			t, reason := makeDate(m[1], mon, day, m[4], m[5], sec, "", loc)
			return t, reason, true
		},
	},
	{ // 26-FEB-1987 15:07:13.72, 27-MAR-1987 00:03:35.68F RM
		re: regexp.MustCompile(`^(\d{1,2})-([A-Za-z]{3,9})-(\d{4})(?: ` + timePart + `(?: ?[A-Z]{1,2}(?: [A-Z]{1,2})*)?)?$`),
		build: func(m []string, loc *time.Location) (time.Time, string, bool) {
			mon, ok := monthNames[strings.ToLower(m[2])]
			if !ok {
				return time.Time{}, "", false
			}
			t, reason := makeDate(m[3], strconv.Itoa(mon), m[1], m[4], m[5], m[6], m[7], loc)
			return t, reason, true
		},
	},
	{ // 1998-3, 2003-05, 2003/05, 2003.05
		re: regexp.MustCompile(`^(\d{4})[-./](\d{1,2})$`),
		build: func(m []string, loc *time.Location) (time.Time, string, bool) {
			t, reason := makeDate(m[1], m[2], "1", "", "", "", "", loc)
			return t, reason, true
		},
	},
	{ // 2018
		re: regexp.MustCompile(`^(\d{4})$`),
		build: func(m []string, loc *time.Location) (time.Time, string, bool) {
			t, reason := makeDate(m[1], "1", "1", "", "", "", "", loc)
			return t, reason, true
		},
	},
}

var monthNames = map[string]int{}

func init() {
	for m := time.January; m <= time.December; m++ {
		name := strings.ToLower(m.String())
		monthNames[name] = int(m)
		monthNames[name[:3]] = int(m)
	}
	monthNames["sept"] = int(time.September)
}

// zone parses "Z", "+08:00" or "-0700".
func zone(s string) (*time.Location, string) {
	if s == "Z" || s == "z" {
		return time.UTC, ""
	}
	digits := strings.ReplaceAll(s[1:], ":", "")
	h, _ := strconv.Atoi(digits[:2])
	m, _ := strconv.Atoi(digits[2:])
	if h > 23 || m > 59 {
		return nil, fmt.Sprintf("offset %s out of range", s)
	}
	off := (h*60 + m) * 60
	if s[0] == '-' {
		off = -off
	}
	return time.FixedZone("", off), ""
}

// makeDate builds a time from decimal fields ("" for hour, minute, second
// and fraction means 0) and checks that it exists.
func makeDate(year, month, day, hour, minute, second, frac string, loc *time.Location) (time.Time, string) {
	num := func(s string) int {
		n, _ := strconv.Atoi(s) // the regexps allow digits only; "" is 0
		return n
	}
	y, mo, d, h, mi, sec := num(year), num(month), num(day), num(hour), num(minute), num(second)
	switch {
	case y < minYear:
		return time.Time{}, fmt.Sprintf("year %d out of range", y)
	case mo < 1 || mo > 12:
		return time.Time{}, fmt.Sprintf("month %d out of range", mo)
	case d < 1 || d > daysIn(time.Month(mo), y):
		return time.Time{}, fmt.Sprintf("day %d out of range for %s %d", d, time.Month(mo), y)
	case h > 23:
		return time.Time{}, fmt.Sprintf("hour %d out of range", h)
	case mi > 59:
		return time.Time{}, fmt.Sprintf("minute %d out of range", mi)
	case sec > 59:
		return time.Time{}, fmt.Sprintf("second %d out of range", sec)
	}
	ns := 0
	if frac != "" {
		ns = num((frac + "000000000")[:9])
	}
	return time.Date(y, time.Month(mo), d, h, mi, sec, ns, loc), ""
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
