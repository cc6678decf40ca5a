package replica

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// MaxPayload is the largest message the embedded server takes: a log
// entry of one request's writes, or a part of one (see [Log.Append]).
const MaxPayload = 8 << 20

// ServerConfig configures [StartServer]: one JetStream voter of the
// log's cluster, run inside a wensou node.
type ServerConfig struct {
	// Name is the node's name, unique in the cluster (--node).
	Name string
	// Dir holds the server's stream files.
	Dir string
	// Host is the address the server listens on; default 127.0.0.1.
	Host string
	// Port is the client port (--nats-port); 0 picks a free one.
	Port int
	// ClusterPort is the port the voters talk on (--nats-cluster-port).
	ClusterPort int
	// Peers are the other voters' cluster addresses, HOST:PORT (--peers).
	Peers []string
	// Cluster is the cluster's name; default "wensou".
	Cluster string
	// Ready bounds the wait for the server to take connections; default
	// 10 s.
	Ready time.Duration
}

// StartServer starts an embedded nats-server with JetStream, its
// streams on disk in cfg.Dir, syncing every write before it is
// acknowledged (sync: always). The caller shuts it down.
func StartServer(cfg ServerConfig) (*server.Server, error) {
	if cfg.Name == "" {
		return nil, errors.New("start the log server: no node name")
	}
	if cfg.Dir == "" {
		return nil, errors.New("start the log server: no directory")
	}
	if cfg.ClusterPort <= 0 {
		return nil, errors.New("start the log server: no cluster port")
	}
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.Cluster == "" {
		cfg.Cluster = "wensou"
	}
	if cfg.Ready <= 0 {
		cfg.Ready = 10 * time.Second
	}
	port := cfg.Port
	if port == 0 {
		port = server.RANDOM_PORT
	}
	var routes []string
	for _, p := range cfg.Peers {
		if _, _, err := net.SplitHostPort(p); err != nil {
			return nil, fmt.Errorf("start the log server: peer %q: want HOST:PORT: %w", p, err)
		}
		routes = append(routes, "nats://"+p)
	}
	opts := &server.Options{
		ServerName: cfg.Name,
		Host:       cfg.Host,
		Port:       port,
		JetStream:  true,
		StoreDir:   cfg.Dir,
		SyncAlways: true,
		Cluster: server.ClusterOpts{
			Name: cfg.Cluster,
			Host: cfg.Host,
			Port: cfg.ClusterPort,
		},
		Routes: server.RoutesFromStr(strings.Join(routes, ",")),
		// An entry holds whole articles, bodies of up to 2 MiB each
		// by default: NATS's 1 MiB default would refuse one.
		MaxPayload: MaxPayload,
		NoSigs:     true,
		NoLog:      true,
	}
	s, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("start the log server %s: %w", cfg.Name, err)
	}
	s.Start()
	if !s.ReadyForConnections(cfg.Ready) {
		s.Shutdown()
		return nil, fmt.Errorf("start the log server %s: not ready within %s (client port %s, cluster port %d)", cfg.Name, cfg.Ready, strconv.Itoa(cfg.Port), cfg.ClusterPort)
	}
	return s, nil
}
