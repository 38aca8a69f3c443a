"""Datasets and experiments on the Langfuse Python SDK (3.x, 4.x, 5.x): a dataset of two
capitals, `dataset.run_experiment` with an item evaluator (exact match) and a run evaluator
(accuracy), then `run_experiment` on local data. The task gets Japan wrong on purpose, so
the scores tell the items apart. With `--item-run` (3.x), one more run through the older
`item.run()` context manager. Prints one JSON line of what the SDK returned."""

import json
import sys

from langfuse import get_client
from langfuse.experiment import Evaluation

NAME = sys.argv[1]
CAPITALS = {"France": "Paris", "Japan": "Tokyo"}
ANSWERS = {"France": "Paris", "Japan": "Kyoto"}

langfuse = get_client()
langfuse.create_dataset(name=NAME, description="capitals", metadata={"suite": "geo"})
for country, capital in CAPITALS.items():
    langfuse.create_dataset_item(
        dataset_name=NAME,
        id=f"{NAME}-{country}",
        input={"country": country},
        expected_output=capital,
        metadata={"country": country},
    )
dataset = langfuse.get_dataset(NAME)


def task(*, item, **kwargs):
    given = item["input"] if isinstance(item, dict) else item.input
    return ANSWERS[given["country"]]


def exact(*, input, output, expected_output=None, **kwargs):
    return Evaluation(name="exact", value=1.0 if output == expected_output else 0.0)


def accuracy(*, item_results, **kwargs):
    values = [e.value for r in item_results for e in r.evaluations if e.name == "exact"]
    return Evaluation(name="accuracy", value=sum(values) / len(values))


result = dataset.run_experiment(
    name="capitals",
    run_name=f"{NAME}-run",
    description="first model",
    task=task,
    evaluators=[exact],
    run_evaluators=[accuracy],
)
local = langfuse.run_experiment(
    name="local",
    data=[{"input": {"country": "France"}, "expected_output": "Paris"}],
    task=task,
    evaluators=[exact],
)
item_run = None
if "--item-run" in sys.argv:
    item = dataset.items[0]
    with item.run(run_name=f"{NAME}-item-run", run_description="by hand") as span:
        span.update(output=task(item=item))
        item_run = span.trace_id
langfuse.flush()
run_id = getattr(result, "experiment_id", None) or result.dataset_run_id
print(
    json.dumps(
        {
            "runId": run_id,
            "itemTraces": {r.item.id: r.trace_id for r in result.item_results},
            "localTrace": local.item_results[0].trace_id,
            "itemRunTrace": item_run,
        }
    )
)
