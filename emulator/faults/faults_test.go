package faults

import "testing"

func TestTakeOrderAndTimes(t *testing.T) {
	var s Set
	a, _ := s.Add(Rule{Vendor: "easemob", Path: "chatmessages", Kind: RateLimit, Times: 2})
	b, _ := s.Add(Rule{Kind: ServerError})
	if a.ID != "f1" || b.ID != "f2" || a.Remaining != 2 || b.Remaining != -1 {
		t.Fatalf("added %+v %+v", a, b)
	}
	for i, want := range []string{"f1", "f1", "f2", "f2"} {
		f, ok := s.Take("easemob", "GET", "/o/a/chatmessages/2026112009")
		if !ok || f.ID != want {
			t.Errorf("take %d: %v %q, want %s", i, ok, f.ID, want)
		}
	}
	if f, _ := s.Take("yunxin", "GET", "/im/v2/x"); f.ID != "f2" {
		t.Errorf("other vendor took %q", f.ID)
	}
	if l := s.List(); len(l) != 1 || l[0].Hits != 3 {
		t.Errorf("list %+v", l)
	}
	if s.Delete("f1") || !s.Delete("f2") || s.Len() != 0 {
		t.Error("delete")
	}
	s.Reset()
	if c, _ := s.Add(Rule{Kind: Drop}); c.ID != "f1" {
		t.Errorf("after Reset id %q", c.ID)
	}
}

func TestMatches(t *testing.T) {
	f, err := Compile(Rule{Vendor: "op", Method: "post", Path: "^/op/", Kind: Drop})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		vendor, method, path string
		want                 bool
	}{
		{"op", "POST", "/op/v2/userMessageList", true},
		{"op", "GET", "/op/v2/userMessageList", false},
		{"easemob", "POST", "/op/v2/userMessageList", false},
		{"op", "POST", "/_qiniu/op/x", false},
	} {
		if got := f.Matches(tt.vendor, tt.method, tt.path); got != tt.want {
			t.Errorf("%+v: %v", tt, got)
		}
	}
}
