"""Kubeflow Pipelines (v2) definition of the Customer churn pipeline.

Compile it with the kfp SDK (`pip install kfp==2.17.0`):

    python deploy/kubeflow_pipeline.py     # writes deploy/kubeflow_pipeline.yaml

Every task runs `python -m churn_classifier.run_task` in IMAGE (an image of this project with
`pip install -r requirements.txt .`); values between tasks travel as Kubeflow artifacts.
Mount a volume at /app/models to keep the model registry between runs.
"""

import os
from pathlib import Path

from kfp import compiler, dsl

IMAGE = os.environ.get("PIPELINE_IMAGE", "churn-classifier:latest")
RUN_TASK = ["python", "-m", "churn_classifier.run_task"]


def upstream(task, name, artifact):
    """Command-line arguments handing an upstream artifact to run_task."""
    return ["--upstream", task, name, artifact.path]


def product(name, artifact):
    """Command-line arguments naming where run_task writes a product."""
    return ["--product", name, artifact.path]


def param(name, value):
    """Command-line arguments passing a pipeline parameter to run_task."""
    return ["--param", name, value]


@dsl.container_component
def load_task(
    data_path: str,
    out_raw: dsl.Output[dsl.Artifact],
):
    """The load task."""
    return dsl.ContainerSpec(
        image=IMAGE,
        command=RUN_TASK,
        args=[
            "load",
            *param("data_path", data_path),
            *product("raw", out_raw),
        ],
    )


@dsl.container_component
def clean_task(
    in_load_raw: dsl.Input[dsl.Artifact],
    out_X: dsl.Output[dsl.Artifact],
    out_y: dsl.Output[dsl.Artifact],
):
    """The clean task."""
    return dsl.ContainerSpec(
        image=IMAGE,
        command=RUN_TASK,
        args=[
            "clean",
            *upstream("load", "raw", in_load_raw),
            *product("X", out_X),
            *product("y", out_y),
        ],
    )


@dsl.container_component
def train_task(
    in_clean_X: dsl.Input[dsl.Artifact],
    in_clean_y: dsl.Input[dsl.Artifact],
    test_size: float,
    random_state: int,
    out_X_train: dsl.Output[dsl.Artifact],
    out_X_test: dsl.Output[dsl.Artifact],
    out_y_train: dsl.Output[dsl.Artifact],
    out_y_test: dsl.Output[dsl.Artifact],
    out_model: dsl.Output[dsl.Artifact],
):
    """The train task."""
    return dsl.ContainerSpec(
        image=IMAGE,
        command=RUN_TASK,
        args=[
            "train",
            *upstream("clean", "X", in_clean_X),
            *upstream("clean", "y", in_clean_y),
            *param("test_size", test_size),
            *param("random_state", random_state),
            *product("X_train", out_X_train),
            *product("X_test", out_X_test),
            *product("y_train", out_y_train),
            *product("y_test", out_y_test),
            *product("model", out_model),
        ],
    )


@dsl.container_component
def predict_task(
    in_train_model: dsl.Input[dsl.Artifact],
    in_load_raw: dsl.Input[dsl.Artifact],
    in_train_X_test: dsl.Input[dsl.Artifact],
    in_train_y_test: dsl.Input[dsl.Artifact],
    out_predictions: dsl.Output[dsl.Artifact],
    out_evaluation: dsl.Output[dsl.Artifact],
    out_metrics: dsl.Output[dsl.Artifact],
):
    """The predict task."""
    return dsl.ContainerSpec(
        image=IMAGE,
        command=RUN_TASK,
        args=[
            "predict",
            *upstream("train", "model", in_train_model),
            *upstream("load", "raw", in_load_raw),
            *upstream("train", "X_test", in_train_X_test),
            *upstream("train", "y_test", in_train_y_test),
            *product("predictions", out_predictions),
            *product("evaluation", out_evaluation),
            *product("metrics", out_metrics),
        ],
    )


@dsl.container_component
def register_task(
    in_train_model: dsl.Input[dsl.Artifact],
    in_load_raw: dsl.Input[dsl.Artifact],
    in_train_X_train: dsl.Input[dsl.Artifact],
    in_train_y_train: dsl.Input[dsl.Artifact],
    in_predict_metrics: dsl.Input[dsl.Artifact],
    data_path: str,
    test_size: float,
    random_state: int,
    out_registration: dsl.Output[dsl.Artifact],
):
    """The register task."""
    return dsl.ContainerSpec(
        image=IMAGE,
        command=RUN_TASK,
        args=[
            "register",
            *upstream("train", "model", in_train_model),
            *upstream("load", "raw", in_load_raw),
            *upstream("train", "X_train", in_train_X_train),
            *upstream("train", "y_train", in_train_y_train),
            *upstream("predict", "metrics", in_predict_metrics),
            *param("data_path", data_path),
            *param("test_size", test_size),
            *param("random_state", random_state),
            *product("registration", out_registration),
        ],
    )


@dsl.pipeline(name="churn-classifier", description="Customer churn")
def pipeline(
    data_path: str = "data/churn.csv",
    test_size: float = 0.25,
    random_state: int = 42,
):
    """Run the stages in order; each task's artifacts feed the next."""
    load_step = load_task(
        data_path=data_path,
    )
    clean_step = clean_task(
        in_load_raw=load_step.outputs["out_raw"],
    )
    train_step = train_task(
        in_clean_X=clean_step.outputs["out_X"],
        in_clean_y=clean_step.outputs["out_y"],
        test_size=test_size,
        random_state=random_state,
    )
    predict_step = predict_task(
        in_train_model=train_step.outputs["out_model"],
        in_load_raw=load_step.outputs["out_raw"],
        in_train_X_test=train_step.outputs["out_X_test"],
        in_train_y_test=train_step.outputs["out_y_test"],
    )
    register_step = register_task(
        in_train_model=train_step.outputs["out_model"],
        in_load_raw=load_step.outputs["out_raw"],
        in_train_X_train=train_step.outputs["out_X_train"],
        in_train_y_train=train_step.outputs["out_y_train"],
        in_predict_metrics=predict_step.outputs["out_metrics"],
        data_path=data_path,
        test_size=test_size,
        random_state=random_state,
    )


if __name__ == "__main__":
    target = Path(__file__).with_suffix(".yaml")
    compiler.Compiler().compile(pipeline, package_path=str(target))
    print(f"wrote {target}")
