package gojson

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

func marshal(t testing.TB, v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), err
}

var odd = []string{"", "plain", "<b>&amp;</b>", "quote\" back\\slash", "ctl\x00\x01\x1f\n\r\t\b\f", "中文😀", "bad\xff\xfeutf8",
	"line\u2028sep\u2029", "\x7f", "“curly” …\u2029", "cut\xe2\x80", "\xe2\x80\xa8"}

// TestAppendValueIsEncodingJSON compares AppendValue with encoding/json on
// every kind it takes, nested, and checks that it leaves the rest to it.
func TestAppendValueIsEncodingJSON(t *testing.T) {
	floats := []float64{0, math.Copysign(0, -1), 39.9042, 116.407396, 1e-7, -1e-7, 1e21, 1e20, 123456789.125, 5e-324, math.MaxFloat64}
	var values []any
	for _, s := range odd {
		values = append(values, s, []any{s, nil, true}, map[string]any{s: s, "k" + s: []string{s}}, map[string]string{s + "x": s})
	}
	for _, f := range floats {
		values = append(values, f, -f, []any{f})
		if g := float32(f); !math.IsInf(float64(g), 0) {
			values = append(values, g)
		}
	}
	values = append(values, nil, true, false, int(-7), int8(-8), int16(300), int32(-1<<31), int64(math.MinInt64),
		uint(7), uint8(255), uint16(65535), uint32(1<<32-1), uint64(math.MaxUint64),
		[]any(nil), []string(nil), map[string]any(nil), map[string]string(nil), []any{}, map[string]any{},
		map[string]any{"id": 301, "data": map[string]any{"operator": "a01", "opeNick": "张三", "target": []any{"a01"},
			"tarNick": []any{"张三"}, "ext": ""}},
		map[string]any{"b": 1, "a": 2, "c": map[string]any{"z": []any{1.5, "x", nil}, "y": false}})
	for _, v := range values {
		want, err := marshal(t, v)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := AppendValue([]byte("x"), v)
		if !ok || string(got) != "x"+string(want) {
			t.Errorf("AppendValue(%#v) = %s, %v; encoding/json %s", v, got, ok, want)
		}
	}
	for _, v := range []any{math.NaN(), math.Inf(1), float32(math.Inf(-1)), struct{}{}, []int{1}, map[int]string{1: "x"},
		map[string]any{"a": []any{math.NaN()}}, json.Number("1")} {
		if got, ok := AppendValue([]byte("x"), v); ok || string(got) != "x" {
			t.Errorf("AppendValue(%#v) = %s, %v; want it left to encoding/json", v, got, ok)
		}
	}
	deep := any("x")
	for i := 0; i < 40; i++ {
		deep = []any{deep}
	}
	if _, ok := AppendValue(nil, deep); ok {
		t.Error("a value nested 40 deep was taken")
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range odd {
		f.Add(s, 1.5)
	}
	f.Fuzz(func(t *testing.T, s string, x float64) {
		v := map[string]any{s: []any{s, x}}
		want, err := marshal(t, v)
		got, ok := AppendValue(nil, v)
		if err != nil {
			if ok {
				t.Fatalf("%#v: encoding/json fails (%v), AppendValue wrote %s", v, err, got)
			}
			return
		}
		if !ok || !bytes.Equal(got, want) {
			t.Fatalf("%#v: AppendValue %s, encoding/json %s", v, got, want)
		}
	})
}

// TestAppendValueSmallMapAllocates nothing: a generated message's ext
// object is written without an allocation of its own.
func TestAppendValueSmallMapAllocates(t *testing.T) {
	v := map[string]any{"nickname": "王小明", "level": 3.0, "tags": []any{"a", "b"}}
	buf := make([]byte, 0, 256)
	if n := testing.AllocsPerRun(100, func() { buf, _ = AppendValue(buf[:0], v) }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}
