"""The runtime every Forvalt service is built on: settings, messaging, persistence, tenancy, telemetry."""
