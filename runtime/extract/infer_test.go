package extract

import "testing"

func TestClassify(t *testing.T) {
	tests := []struct {
		in   string
		want kind
	}{
		{"", kNull},
		{"0", kInt}, {"-12", kInt}, {"+7", kInt}, {"9223372036854775807", kInt},
		{"9223372036854775808", kNumeric}, {"1.5", kNumeric}, {"-0.25", kNumeric}, {".5", kNumeric},
		{"1.", kNumeric}, {"1e5", kNumeric}, {"2.5E-3", kNumeric},
		{"007", kText}, {"01.5", kText}, {"1e", kText}, {"1e9999", kText}, {"-", kText}, {".", kText},
		{"1,000", kText}, {"12abc", kText}, {"NaN", kText}, {"0x1F", kText},
		{"true", kBool}, {"FALSE", kBool}, {"yes", kText}, {"t", kText},
		{"2024-02-29", kDate}, {"2023-02-29", kText}, {"2024-13-01", kText}, {"2024-1-01", kText},
		{"2024-03-15 09:46:59", kTimestamp}, {"2024-03-15T09:46", kTimestamp}, {"2024-03-15T09:46:59.123456", kTimestamp},
		{"2024-03-15 09:46:59+00", kTimestamptz}, {"2024-01-03T10:11:11+05:30", kTimestamptz}, {"2024-01-01T12:59:41Z", kTimestamptz},
		{"2024-03-15 24:00:00", kText}, {"2024-03-15 09:60", kText}, {"2024-03-15 09:46:59 UTC", kText}, {"2024-03-15T", kText},
		{"2024-03-15 09:46:59+16", kText}, {"2024-03-15 09:46:59.", kText},
		{"hello", kText}, {"José", kText},
	}
	for _, tc := range tests {
		if got := classify(tc.in); got != tc.want {
			t.Errorf("classify(%q) = %s, want %s", tc.in, got.pgType(), tc.want.pgType())
		}
	}
}

func TestMerge(t *testing.T) {
	tests := []struct{ a, b, want kind }{
		{kNull, kInt, kInt}, {kInt, kNull, kInt}, {kInt, kInt, kInt},
		{kInt, kNumeric, kNumeric}, {kNumeric, kInt, kNumeric},
		{kDate, kTimestamp, kTimestamp}, {kTimestamp, kTimestamptz, kText}, {kDate, kTimestamptz, kText},
		{kBool, kInt, kText}, {kText, kInt, kText}, {kJSON, kInt, kJSON}, {kText, kJSON, kJSON},
	}
	for _, tc := range tests {
		if got := merge(tc.a, tc.b); got != tc.want {
			t.Errorf("merge(%s, %s) = %s, want %s", tc.a.pgType(), tc.b.pgType(), got.pgType(), tc.want.pgType())
		}
	}
}
