"""A second protobuf class for OTLP exports that reads every string field as bytes.

upb refuses a whole message when one string field holds invalid UTF-8. Strings and
bytes share one wire format, so this twin parses such a body and lets the decoder
reject only the spans (or log records) whose text is broken.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

_REQUEST = "opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest"
_LOGS_REQUEST = "opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest"


def _files_in_dependency_order(file: Any, seen: set[str]) -> Iterator[Any]:
    for dependency in file.dependencies:
        yield from _files_in_dependency_order(dependency, seen)
    if file.name not in seen:
        seen.add(file.name)
        yield file


def _messages(messages: Any) -> Iterator[descriptor_pb2.DescriptorProto]:
    for message in messages:
        yield message
        yield from _messages(message.nested_type)


def lenient_request_class() -> Any:
    """`ExportTraceServiceRequest` with string fields typed bytes, in a private pool."""
    return _lenient_class(trace_service_pb2.DESCRIPTOR, _REQUEST)


def lenient_logs_request_class() -> Any:
    """`ExportLogsServiceRequest` with string fields typed bytes, in a private pool."""
    return _lenient_class(logs_service_pb2.DESCRIPTOR, _LOGS_REQUEST)


@cache
def _lenient_class(service_file: Any, request_name: str) -> Any:
    pool = descriptor_pool.DescriptorPool()
    for file in _files_in_dependency_order(service_file, set()):
        proto = descriptor_pb2.FileDescriptorProto()
        file.CopyToProto(proto)
        for message in _messages(proto.message_type):
            for f in message.field:
                if f.type == descriptor_pb2.FieldDescriptorProto.TYPE_STRING:
                    f.type = descriptor_pb2.FieldDescriptorProto.TYPE_BYTES
        pool.Add(proto)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(request_name))
