package emulator

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/chatemu/chatemu/emulator/faults"
	"github.com/chatemu/chatemu/emulator/journal"
	"github.com/chatemu/chatemu/emulator/world"
)

// metricsNamespace prefixes every chatemu metric.
const metricsNamespace = "chatemu"

// Label values of the metrics besides the vendors' (vendorOf) and the
// journal's operation names.
const (
	// vendorControl is the vendor label of the control API, the probes and
	// the metrics themselves.
	vendorControl = "control"
	// statusDropped is the status label of a request whose connection a
	// fault dropped before any answer (the journal's status 0).
	statusDropped = "0"
)

// latencyBuckets are the upper bounds, in seconds, of the latency
// histograms: an emulated page takes from tens of microseconds (a cached
// page) to milliseconds (a cold page, an archive); fault delays reach
// seconds.
var latencyBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// metrics are a Server's Prometheus metrics, in a registry of the Server's
// own: many Servers run in one test binary, and the global default registry
// would add their counts together (and refuse the second registration).
//
// Nothing is made before it is needed: the collectors the request path
// counts with on the first request that counts, the registry, the Go
// runtime and process collectors and the gauges read at scrape on the first
// scrape. New stays as cheap as it was (testkit.Start), and a Server that
// is never scraped, as most test servers, never builds a registry.
type metrics struct {
	journal *journal.Journal // read at scrape
	version string           // chatemu_build_info's label

	once     sync.Once                // makes the collectors below
	requests *prometheus.CounterVec   // vendor, operation, status
	latency  *prometheus.HistogramVec // vendor, operation
	bytes    *prometheus.CounterVec   // vendor, operation
	records  prometheus.Counter
	faults   *prometheus.CounterVec // vendor, kind
	injected prometheus.Counter

	// series caches each label set's collectors: the vectors' lookup
	// allocates its label list on every call.
	seriesMu sync.RWMutex
	series   map[seriesKey]*requestSeries

	scrapeOnce sync.Once
	handler    http.Handler // serves the registry; made by the first scrape
}

// seriesKey is a request's labels.
type seriesKey struct {
	vendor, operation string
	status            int
}

// requestSeries are the collectors one request's labels count with.
type requestSeries struct {
	requests prometheus.Counter
	latency  prometheus.Observer
	bytes    prometheus.Counter
}

// newMetrics returns a Server's metrics; j is read at scrape time and
// version is reported by chatemu_build_info.
func newMetrics(j *journal.Journal, version string) *metrics {
	return &metrics{journal: j, version: version}
}

// metricName is a chatemu metric's full name.
func metricName(s string) string { return prometheus.BuildFQName(metricsNamespace, "", s) }

// counters returns m with the collectors the request path counts with
// made.
func (m *metrics) counters() *metrics {
	m.once.Do(func() {
		m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: metricName("http_requests_total"),
			Help: "Requests answered, by vendor (easemob, yunxin, op, control), operation and HTTP status (0: the connection was dropped by a fault)."},
			[]string{"vendor", "operation", "status"})
		m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: metricName("http_request_duration_seconds"),
			Help:    "Time from a request's arrival to its complete answer (fault delays included), by vendor and operation.",
			Buckets: latencyBuckets},
			[]string{"vendor", "operation"})
		m.bytes = prometheus.NewCounterVec(prometheus.CounterOpts{Name: metricName("http_response_bytes_total"),
			Help: "Response body bytes served, by vendor and operation."},
			[]string{"vendor", "operation"})
		m.records = prometheus.NewCounter(prometheus.CounterOpts{Name: metricName("easemob_archive_records_total"),
			Help: "Message records in the Easemob archives served: counted once per answer that ends at an archive's last byte (a whole download, or the last range of one)."})
		m.faults = prometheus.NewCounterVec(prometheus.CounterOpts{Name: metricName("faults_fired_total"),
			Help: "Injected faults that answered, dropped or delayed a request, by vendor and kind (rate_limit, server_error, unauthorized, drop, status, delay)."},
			[]string{"vendor", "kind"})
		m.injected = prometheus.NewCounter(prometheus.CounterOpts{Name: metricName("injected_messages_total"),
			Help: "Messages stored through POST /_chatemu/messages (and the testkit's Inject)."})
	})
	return m
}

// scrapeOnly makes the collectors only a scrape reads: the journal's
// gauges, the build, the Go runtime and the process.
func (m *metrics) scrapeOnly() []prometheus.Collector {
	j := m.journal
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: metricName("journal_entries"),
			Help: "Requests the journal holds (GET /_chatemu/requests)."},
			func() float64 { return float64(j.Len()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: metricName("journal_bytes"),
			Help: "Bytes the journal's entries keep, within chatemu_journal_max_bytes."},
			func() float64 { return float64(j.Bytes()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: metricName("journal_max_entries"),
			Help: "Requests the journal keeps at most (--journal-size; 0: off)."},
			func() float64 { return float64(j.Size()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: metricName("journal_max_bytes"),
			Help: "The journal's byte budget (--journal-bytes; 0: off)."},
			func() float64 { return float64(j.MaxBytes()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: metricName("build_info"),
			Help:        "Always 1; the version label is the build's (chatemu version).",
			ConstLabels: prometheus.Labels{"version": versionLabel(m.version)}},
			func() float64 { return 1 }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	}
}

// versionLabel is the build_info label of a version: "devel" when the
// server was not told one.
func versionLabel(v string) string {
	if v == "" {
		return "devel"
	}
	return v
}

// serve answers a scrape: the registry in the Prometheus text format,
// gzip-compressed when the scraper accepts it.
func (m *metrics) serve(w http.ResponseWriter, r *http.Request) {
	m.scrapeOnce.Do(func() {
		m.counters()
		reg := prometheus.NewRegistry()
		reg.MustRegister(m.requests, m.latency, m.bytes, m.records, m.faults, m.injected)
		reg.MustRegister(m.scrapeOnly()...)
		m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{
			// A collector that fails (the process collector without /proc)
			// leaves its metrics out rather than failing the scrape.
			ErrorHandling: promhttp.ContinueOnError,
		})
	})
	m.handler.ServeHTTP(w, r)
}

// request counts one answered request.
func (m *metrics) request(vendor, operation string, status int, took time.Duration, written int64) {
	c := m.seriesOf(seriesKey{vendor, operation, status})
	c.requests.Inc()
	c.latency.Observe(took.Seconds())
	if written > 0 {
		c.bytes.Add(float64(written))
	}
}

// seriesOf returns the collectors of k's labels, made on first use. The
// labels are bounded: vendors and operations are the routes', statuses
// those the surfaces and faults answer.
func (m *metrics) seriesOf(k seriesKey) *requestSeries {
	m.seriesMu.RLock()
	c := m.series[k]
	m.seriesMu.RUnlock()
	if c != nil {
		return c
	}
	m.counters()
	m.seriesMu.Lock()
	defer m.seriesMu.Unlock()
	if c = m.series[k]; c == nil {
		c = &requestSeries{
			requests: m.requests.WithLabelValues(k.vendor, k.operation, statusLabel(k.status)),
			latency:  m.latency.WithLabelValues(k.vendor, k.operation),
			bytes:    m.bytes.WithLabelValues(k.vendor, k.operation),
		}
		if m.series == nil {
			m.series = map[seriesKey]*requestSeries{}
		}
		m.series[k] = c
	}
	return c
}

// fault counts a fault that took a request.
func (m *metrics) fault(vendor string, f *faults.Fault) {
	kind := string(f.Kind)
	switch {
	case kind != "":
	case f.Status != 0:
		kind = "status"
	default:
		kind = "delay"
	}
	m.counters().faults.WithLabelValues(vendor, kind).Inc()
}

// statusLabel is a status as its label: the code's digits.
func statusLabel(code int) string {
	if code == 0 {
		return statusDropped
	}
	return strconv.Itoa(code)
}

// archiveRecords counts the records of an archive answer.
func (m *metrics) archiveRecords(n int) { m.counters().records.Add(float64(n)) }

// injectionCounter is the World the control API injects through: the
// server's world, counting the messages each injection stores.
type injectionCounter struct {
	*world.World
	m *metrics
}

// Inject stores msgs as the world does and counts those stored.
func (w injectionCounter) Inject(t world.TenantID, msgs []world.Message, now time.Time) ([]world.Message, error) {
	stored, err := w.World.Inject(t, msgs, now)
	w.m.counters().injected.Add(float64(len(stored)))
	return stored, err
}
