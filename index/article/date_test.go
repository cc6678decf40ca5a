package article

import (
	"errors"
	"testing"
	"time"
	"unicode/utf8"
)

func TestParseDate(t *testing.T) {
	t.Parallel()
	shanghai := DefaultLocation()
	utc := time.UTC
	minus7 := time.FixedZone("", -7*3600)
	plus8 := time.FixedZone("", 8*3600)

	// zoned marks a date whose string carries its own offset: the result
	// does not depend on the location it is parsed in.
	type want struct {
		y, mo, d, h, mi, s, ns int
		zone                   *time.Location // nil: the location passed in
	}
	tests := []struct {
		name string
		in   string
		want want
	}{
		{"dots", "2022.09.23", want{2022, 9, 23, 0, 0, 0, 0, nil}},
		{"dashes", "2022-09-23", want{2022, 9, 23, 0, 0, 0, 0, nil}},
		{"slashes single digits", "2022/9/23", want{2022, 9, 23, 0, 0, 0, 0, nil}},
		{"slashes with minutes", "2022/09/23 14:05", want{2022, 9, 23, 14, 5, 0, 0, nil}},
		{"chinese", "2022年9月23日", want{2022, 9, 23, 0, 0, 0, 0, nil}},
		{"chinese with minutes", "2022年9月23日 14:05", want{2022, 9, 23, 14, 5, 0, 0, nil}},
		{"chinese 时 分", "2022年09月23日14时05分", want{2022, 9, 23, 14, 5, 0, 0, nil}},
		{"chinese 时 分 秒", "2022年09月23日 14时05分06秒", want{2022, 9, 23, 14, 5, 6, 0, nil}},
		{"chinese full-width colon", "2022年9月23日 14：05", want{2022, 9, 23, 14, 5, 0, 0, nil}},
		{"chinese year month", "2022年9月", want{2022, 9, 1, 0, 0, 0, 0, nil}},
		{"chinese year", "2022年", want{2022, 1, 1, 0, 0, 0, 0, nil}},
		{"rfc3339 offset", "2023-04-01T08:30:00+08:00", want{2023, 4, 1, 8, 30, 0, 0, plus8}},
		{"rfc3339 utc", "2023-04-01T00:30:00Z", want{2023, 4, 1, 0, 30, 0, 0, utc}},
		{"rfc3339 fraction", "2023-04-01T00:30:00.123456Z", want{2023, 4, 1, 0, 30, 0, 123456000, utc}},
		{"rfc3339 offset without colon", "2023-04-01T08:30:00+0800", want{2023, 4, 1, 8, 30, 0, 0, plus8}},
		{"date time seconds", "2023-04-01 08:30:00", want{2023, 4, 1, 8, 30, 0, 0, nil}},
		{"date time minutes", "2023-04-01 08:30", want{2023, 4, 1, 8, 30, 0, 0, nil}},
		{"reuters", "26-FEB-1987 15:07:13.72", want{1987, 2, 26, 15, 7, 13, 720000000, nil}},
		{"reuters lower case", "3-mar-1987 09:15:05.4", want{1987, 3, 3, 9, 15, 5, 400000000, nil}},
		{"reuters two spaces", "3-MAR-1987  09:15:05.40", want{1987, 3, 3, 9, 15, 5, 400000000, nil}},
		{"reuters trailing codes", "27-MAR-1987 00:03:48.00F RM", want{1987, 3, 27, 0, 3, 48, 0, nil}},
		{"reuters date only", "2-Jan-2006", want{2006, 1, 2, 0, 0, 0, 0, nil}},
		{"web single-digit month and day", "2005-5-7 21:23:57", want{2005, 5, 7, 21, 23, 57, 0, nil}},
		{"web single-digit hour", "2004-09-17 5:54:13", want{2004, 9, 17, 5, 54, 13, 0, nil}},
		{"rfc1123z", "Mon, 02 Jan 2006 15:04:05 -0700", want{2006, 1, 2, 15, 4, 5, 0, minus7}},
		{"rfc1123 gmt", "Mon, 02 Jan 2006 15:04:05 GMT", want{2006, 1, 2, 15, 4, 5, 0, utc}},
		{"rfc1123 no weekday", "2 Jan 2006 15:04:05 -0700", want{2006, 1, 2, 15, 4, 5, 0, minus7}},
		{"english short month", "Jan 2, 2006", want{2006, 1, 2, 0, 0, 0, 0, nil}},
		{"english long month", "January 2, 2006", want{2006, 1, 2, 0, 0, 0, 0, nil}},
		{"english day first", "2 January 2006", want{2006, 1, 2, 0, 0, 0, 0, nil}},
		{"english day first short", "12 Sep 2022", want{2022, 9, 12, 0, 0, 0, 0, nil}},
		{"year month single digit", "1998-3", want{1998, 3, 1, 0, 0, 0, 0, nil}},
		{"year month two digits", "2003-05", want{2003, 5, 1, 0, 0, 0, 0, nil}},
		{"year", "2018", want{2018, 1, 1, 0, 0, 0, 0, nil}},
		{"surrounding space", " \t2022-09-23\u3000\n", want{2022, 9, 23, 0, 0, 0, 0, nil}},
		{"leap day", "2024-02-29", want{2024, 2, 29, 0, 0, 0, 0, nil}},
		{"earliest year", "1000-01-01", want{1000, 1, 1, 0, 0, 0, 0, nil}},
	}
	for _, tt := range tests {
		for _, loc := range []*time.Location{shanghai, utc} {
			t.Run(tt.name+"/"+loc.String(), func(t *testing.T) {
				t.Parallel()
				got, err := ParseDate(tt.in, loc)
				if err != nil {
					t.Fatalf("ParseDate(%q, %s) error: %v", tt.in, loc, err)
				}
				zone := tt.want.zone
				if zone == nil {
					zone = loc
				}
				w := tt.want
				want := time.Date(w.y, time.Month(w.mo), w.d, w.h, w.mi, w.s, w.ns, zone)
				if !got.Equal(want) {
					t.Errorf("ParseDate(%q, %s) = %v, want %v", tt.in, loc, got, want)
				}
				_, gotOff := got.Zone()
				_, wantOff := want.Zone()
				if gotOff != wantOff {
					t.Errorf("ParseDate(%q, %s) offset = %d, want %d", tt.in, loc, gotOff, wantOff)
				}
			})
		}
	}
}

func TestParseDate_NilLocation(t *testing.T) {
	t.Parallel()
	got, err := ParseDate("2022.09.23", nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2022, 9, 23, 0, 0, 0, 0, DefaultLocation()); !got.Equal(want) {
		t.Errorf("ParseDate(%q, nil) = %v, want %v", "2022.09.23", got, want)
	}
	if _, off := got.Zone(); off != 8*3600 {
		t.Errorf("offset = %d, want +08:00", off)
	}
}

func TestParseDate_Errors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		wantErr string
	}{
		{"2022-02-30", `unparseable date "2022-02-30": day 30 out of range for February 2022`},
		{"2023-02-29", `unparseable date "2023-02-29": day 29 out of range for February 2023`},
		{"2022-13-01", `unparseable date "2022-13-01": month 13 out of range`},
		{"2022-13", `unparseable date "2022-13": month 13 out of range`},
		{"2022-00-10", `unparseable date "2022-00-10": month 0 out of range`},
		{"2022年13月1日", `unparseable date "2022年13月1日": month 13 out of range`},
		{"2022-09-23 24:00", `unparseable date "2022-09-23 24:00": hour 24 out of range`},
		{"2022-09-23 23:60", `unparseable date "2022-09-23 23:60": minute 60 out of range`},
		{"2022-09-23T10:00:00+25:00", `unparseable date "2022-09-23T10:00:00+25:00": offset +25:00 out of range`},
		{"31-FEB-1987 10:00:00.00", `unparseable date "31-FEB-1987 10:00:00.00": day 31 out of range for February 1987`},
		{"0000", `unparseable date "0000": year 0 out of range`},
		{"0001", `unparseable date "0001": year 1 out of range`},
		{"0999-12-31", `unparseable date "0999-12-31": year 999 out of range`},
		{"Jan 1, 0001", `unparseable date "Jan 1, 0001": year 1 out of range`},
		{"Feb 30, 2022", `unparseable date "Feb 30, 2022": day out of range`},
		{"31-MAR-1987 605:12:19.12", `unparseable date "31-MAR-1987 605:12:19.12"`},
		{"2022-09/23", `unparseable date "2022-09/23"`},
		{"26-FOO-1987 15:07:13.72", `unparseable date "26-FOO-1987 15:07:13.72"`},
		{"去年秋天", `unparseable date "去年秋天"`},
		{"UNKNOWN", `unparseable date "UNKNOWN"`},
		{"", `unparseable date ""`},
		{"   ", `unparseable date "   "`},
		{"2022-09-23 14:05 +08:00 extra", `unparseable date "2022-09-23 14:05 +08:00 extra"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseDate(tt.in, time.UTC)
			if err == nil {
				t.Fatalf("ParseDate(%q) = %v, want error %q", tt.in, got, tt.wantErr)
			}
			if err.Error() != tt.wantErr {
				t.Errorf("ParseDate(%q) error = %q, want %q", tt.in, err, tt.wantErr)
			}
			if !errors.Is(err, ErrBadDate) {
				t.Errorf("ParseDate(%q) error %v does not match ErrBadDate", tt.in, err)
			}
			if !got.IsZero() {
				t.Errorf("ParseDate(%q) time = %v, want zero", tt.in, got)
			}
		})
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"2022.09.23", "2022年09月23日14时05分", "26-FEB-1987 15:07:13.72", "2023-04-01T08:30:00+08:00",
		"Mon, 02 Jan 2006 15:04:05 -0700", "Jan 2, 2006", "1998-3", "2018", "2022-02-30", "",
		"27-MAR-1987 00:03:48.00F RM", "2022年", "9999-12-31T23:59:59.999999999-23:59",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseDate(s, time.UTC)
		if err != nil {
			if !got.IsZero() {
				t.Errorf("ParseDate(%q) = %v with error %v, want zero time", s, got, err)
			}
			if !errors.Is(err, ErrBadDate) {
				t.Errorf("ParseDate(%q) error %v does not match ErrBadDate", s, err)
			}
			if !utf8.ValidString(err.Error()) && utf8.ValidString(s) {
				t.Errorf("ParseDate(%q) error is not valid UTF-8", s)
			}
			return
		}
		if got.IsZero() {
			t.Errorf("ParseDate(%q) = zero time without error", s)
		}
	})
}
