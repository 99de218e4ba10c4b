package bot

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"planbot/index"
)

// Metrics are the service's Prometheus metrics and the daily counts of
// the admin charts. The Prometheus metrics are on a registry of their own
// so that tests and several servers in one process do not collide. It
// implements chat.Metrics for the channels.
type Metrics struct {
	Registry   *prometheus.Registry
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	notCovered prometheus.Counter
	reindexes  *prometheus.CounterVec
	dropped    *prometheus.CounterVec
	// Daily counts every question by day, channel and outcome for the
	// admin charts (a MemDaily unless the service shares it in Redis);
	// set it before the channels start.
	Daily Daily
}

// NewMetrics registers the metrics and the Go runtime collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "planbot_requests_total", Help: "HTTP requests by channel and status code.",
		}, []string{"channel", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "planbot_answer_seconds", Help: "Time to answer a question, by channel.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25},
		}, []string{"channel"}),
		notCovered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "planbot_not_covered_total", Help: "Questions the plan does not cover.",
		}),
		reindexes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "planbot_reindexes_total", Help: "Plan reindexes by result (ok, invalid, refused, error).",
		}, []string{"result"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "planbot_dropped_events_total", Help: "Events dropped (full queue, duplicates, …) by channel and reason.",
		}, []string{"channel", "reason"}),
		Daily: &MemDaily{},
	}
	m.Registry.MustRegister(m.requests, m.latency, m.notCovered, m.reindexes, m.dropped,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *Metrics) Request(channel, status string) { m.requests.WithLabelValues(channel, status).Inc() }

func (m *Metrics) Answered(channel string, a index.Answer, d time.Duration) {
	m.latency.WithLabelValues(channel).Observe(d.Seconds())
	if a.Intent == index.IntentNotCovered {
		m.notCovered.Inc()
	}
	if o := OutcomeOf(a); o != "" && m.Daily != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		m.Daily.Count(ctx, DayOf(time.Now()), channel, o) // a store that fails logs it; the answer goes out anyway
		cancel()
	}
}

func (m *Metrics) Dropped(channel, reason string) { m.dropped.WithLabelValues(channel, reason).Inc() }

// Reindexed counts a reindex attempt by its result.
func (m *Metrics) Reindexed(result string) { m.reindexes.WithLabelValues(result).Inc() }
