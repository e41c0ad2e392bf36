package world

import (
	"fmt"
	"strings"
	"time"
)

// Tenants added at run time give test suites that share one emulator a
// namespace of their own (the control API's POST /_chatemu/tenants). Their
// traffic is measured back from the anchor given when they are added (the
// clock's now), and Reset removes them.

// AddEasemobApp adds an app at run time. Its Messages are stored as literal
// messages.
func (w *World) AddEasemobApp(a EasemobApp, anchor time.Time) error {
	return w.addTenant(func(ts *tenantSet) error { return ts.addEasemob(a, anchor.UTC(), w.seed) },
		a.Tenant(), a.Messages)
}

// AddYunxinApp adds an app at run time. Its Messages are stored as literal
// messages.
func (w *World) AddYunxinApp(a YunxinApp, anchor time.Time) error {
	return w.addTenant(func(ts *tenantSet) error { return ts.addYunxin(a, anchor.UTC(), w.seed) },
		a.Tenant(), a.Messages)
}

// AddOpClient adds an Op client at run time; its Easemob app must exist.
func (w *World) AddOpClient(c OpClient) error {
	return w.addTenant(func(ts *tenantSet) error {
		if _, ok := ts.byEasemob[c.EasemobApp]; !ok {
			return fmt.Errorf("world: Op client %s: unknown Easemob app %s", c.Client, c.EasemobApp)
		}
		return ts.addOp(c)
	}, "", nil)
}

func (w *World) addTenant(add func(*tenantSet) error, t TenantID, msgs []Message) error {
	w.tmu.Lock()
	defer w.tmu.Unlock()
	ts := w.tenants.Load().clone()
	if err := add(ts); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if t != "" {
		delete(w.literals, t) // a tenant removed earlier may have left messages
		if _, err := w.insertLocked(t, msgs); err != nil {
			delete(w.literals, t)
			return err
		}
		w.added += uint64(len(msgs))
	}
	w.tenants.Store(ts)
	w.version.Add(1)
	return nil
}

// RemoveTenant removes a tenant added at run time: "easemob:ORG/APP",
// "yunxin:APPKEY" or "op:CLIENT". Removing an Easemob app also removes the
// Op clients linked to it. Tenants of the spec cannot be removed.
func (w *World) RemoveTenant(t TenantID) error {
	w.tmu.Lock()
	defer w.tmu.Unlock()
	cur := w.tenants.Load()
	vendor, key, _ := strings.Cut(string(t), ":")
	var known, base bool
	switch Vendor(vendor) {
	case Easemob:
		_, known = cur.byEasemob[t]
		_, base = w.base.byEasemob[t]
	case Yunxin:
		_, known = cur.byYunxin[key]
		_, base = w.base.byYunxin[key]
	case Op:
		_, known = cur.byOp[key]
		_, base = w.base.byOp[key]
	}
	if !known {
		return fmt.Errorf("unknown tenant %q", t)
	}
	if base {
		return fmt.Errorf("tenant %q belongs to the scenario and cannot be removed", t)
	}
	ts := cur.clone()
	dropOp := func(c *OpClient) {
		delete(ts.byOp, c.Client)
		ts.op = remove(ts.op, c)
	}
	switch Vendor(vendor) {
	case Easemob:
		ts.easemob = remove(ts.easemob, ts.byEasemob[t])
		delete(ts.byEasemob, t)
		for _, c := range cur.op {
			if c.EasemobApp == t {
				dropOp(c)
			}
		}
	case Yunxin:
		ts.yunxin = remove(ts.yunxin, ts.byYunxin[key])
		delete(ts.byYunxin, key)
	case Op:
		dropOp(ts.byOp[key])
	}
	// The tenant's streams stay numbered (ids must not shift) but orphaned;
	// an Op client has neither streams nor messages of its own.
	delete(ts.byTenant, t)
	w.mu.Lock()
	w.tenants.Store(ts)
	delete(w.literals, t)
	w.mu.Unlock()
	w.version.Add(1) // after the change is in place: see Reset
	return nil
}

func remove[T comparable](list []T, v T) []T {
	out := make([]T, 0, len(list))
	for _, x := range list {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}
