"""The Forvalt services. None imports another; they meet only through contracts and Kafka."""
