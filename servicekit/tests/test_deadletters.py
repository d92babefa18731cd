"""The dead-letter tool: it reads a partition (or all) to the end offsets taken at the start, however slow the
broker, and replays the letters chosen by partition and offset to the topic each came from."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiokafka import ConsumerRecord, TopicPartition
from typer.testing import CliRunner

from servicekit.deadletters import Letter, Unreadable, app, read_letters, replay_letters

DLQ = "intake.events.v1.dlq"


def letter(partition: int, offset: int, *, original_topic: str = "intake.events.v1") -> Letter:
    value = f"event {partition}/{offset}".encode()
    return ConsumerRecord(
        topic=DLQ,
        partition=partition,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=b"case-1",
        value=value,
        checksum=None,
        serialized_key_size=6,
        serialized_value_size=len(value),
        headers=[
            ("traceparent", b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
            ("x-dlq-reason", b"invalid envelope"),
            ("x-dlq-original-topic", original_topic.encode()),
        ],
    )


class FakeDeadLetterTopic:
    """A consumer of a topic whose partitions hold `letters`; it hands them out a few at a time, with empty polls
    in between as a slow broker does, and keeps taking letters written after the reading started."""

    def __init__(self, letters: dict[int, list[Letter]], *, empty_polls_between: int = 2, per_poll: int = 1) -> None:
        self.letters = letters
        self.assigned: list[TopicPartition] = []
        self.positions: dict[TopicPartition, int] = {}
        self._empty = empty_polls_between
        self._per_poll = per_poll
        self._polls: Iterator[bool] = self._pattern()
        self.written_later: dict[int, list[Letter]] = {}

    def _pattern(self) -> Iterator[bool]:
        while True:
            yield from [False] * self._empty
            yield True

    def partitions_for_topic(self, topic: str) -> set[int] | None:
        return set(self.letters) if topic == DLQ else None

    def assign(self, partitions: list[TopicPartition]) -> None:
        self.assigned = list(partitions)

    async def end_offsets(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        ends = {
            tp: (self.letters[tp.partition][-1].offset + 1 if self.letters[tp.partition] else 0) for tp in partitions
        }
        # Letters that arrive after the ends were taken: the tool must not wait for them, nor list them.
        for tp in partitions:
            later = letter(tp.partition, ends[tp])
            self.letters[tp.partition].append(later)
            self.written_later.setdefault(tp.partition, []).append(later)
        return ends

    async def seek_to_beginning(self, *partitions: TopicPartition) -> None:
        for tp in partitions:
            self.positions[tp] = self.letters[tp.partition][0].offset if self.letters[tp.partition] else 0

    async def position(self, partition: TopicPartition) -> int:
        return self.positions[partition]

    async def getmany(self, *partitions: TopicPartition, timeout_ms: int = 0) -> dict[TopicPartition, list[Letter]]:
        assert set(partitions) <= set(self.assigned)
        if not next(self._polls):
            return {}
        batch: dict[TopicPartition, list[Letter]] = {}
        for tp in partitions:
            records = [r for r in self.letters[tp.partition] if r.offset >= self.positions[tp]][: self._per_poll]
            if records:
                batch[tp] = records
                self.positions[tp] = records[-1].offset + 1
        return batch


def partitions() -> dict[int, list[Letter]]:
    # Partition 1 begins at 5: older letters have gone with the retention.
    return {0: [letter(0, 0), letter(0, 1), letter(0, 2)], 1: [letter(1, o) for o in (5, 6)], 2: []}


async def test_listing_reads_every_partition_to_its_end_offset_through_empty_polls() -> None:
    topic = FakeDeadLetterTopic(partitions())

    found = await read_letters(topic, DLQ, timeout_ms=1)

    assert [(r.partition, r.offset) for r in found] == [(0, 0), (0, 1), (0, 2), (1, 5), (1, 6)]


async def test_reading_one_partition_assigns_and_reads_only_that_one() -> None:
    topic = FakeDeadLetterTopic(partitions())

    found = await read_letters(topic, DLQ, partition=1, timeout_ms=1)

    assert topic.assigned == [TopicPartition(DLQ, 1)]
    assert [(r.partition, r.offset) for r in found] == [(1, 5), (1, 6)]


async def test_a_partition_the_topic_does_not_have_is_refused_by_name() -> None:
    with pytest.raises(Unreadable, match="no partition 7"):
        await read_letters(FakeDeadLetterTopic(partitions()), DLQ, partition=7)


async def test_a_topic_that_does_not_exist_is_refused_by_name() -> None:
    with pytest.raises(Unreadable, match="no such topic"):
        await read_letters(FakeDeadLetterTopic(partitions()), "nothing.dlq")


async def test_a_broker_that_stops_giving_letters_short_of_the_end_is_an_error_not_a_short_list() -> None:
    topic = FakeDeadLetterTopic(partitions(), empty_polls_between=1_000)

    with pytest.raises(Unreadable, match="short of the end offsets"):
        await read_letters(topic, DLQ, timeout_ms=1, max_idle_polls=5)


async def test_replay_sends_the_chosen_offsets_of_one_partition_to_their_topic_without_dead_letter_headers() -> None:
    topic = FakeDeadLetterTopic(partitions())
    sent: list[tuple[str, bytes | None, bytes | None, list[tuple[str, bytes]]]] = []

    async def send(to: str, value: bytes | None, key: bytes | None, headers: list[tuple[str, bytes]]) -> None:
        sent.append((to, value, key, headers))

    letters = await read_letters(topic, DLQ, partition=0, timeout_ms=1)
    count = await replay_letters(letters, DLQ, send, offsets=[1, 2])

    assert count == 2
    assert [value for _, value, _, _ in sent] == [b"event 0/1", b"event 0/2"]
    to, _, key, headers = sent[0]
    assert (to, key) == ("intake.events.v1", b"case-1")
    assert headers == [("traceparent", b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")]


async def test_replay_without_offsets_sends_every_letter_read() -> None:
    sent: list[str] = []

    async def send(to: str, value: bytes | None, key: bytes | None, headers: list[tuple[str, bytes]]) -> None:
        sent.append(to)

    count = await replay_letters([letter(0, 0), letter(1, 0, original_topic="deadlines.v1")], DLQ, send)

    assert count == 2
    assert sent == ["intake.events.v1", "deadlines.v1"]


def test_replaying_an_offset_without_its_partition_is_refused_before_anything_is_read() -> None:
    # Offset 3 of every partition would be several unrelated letters.
    result = CliRunner().invoke(app, ["replay", DLQ, "--offset", "3"])

    assert result.exit_code == 2
    assert "--offset needs --partition" in result.output
