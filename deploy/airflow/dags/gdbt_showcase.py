"""Runs the showcase with gdbt: load, then build, as an operator would call dbt.

Airflow calls the gdbt CLI exactly like the dbt CLI; swap `dbt` for `gdbt`
in existing DAGs. Not exercised by gdbt's CI.
"""
from datetime import datetime

from airflow import DAG
from airflow.operators.bash import BashOperator

with DAG("gdbt_showcase", start_date=datetime(2025, 1, 1), schedule="@daily", catchup=False) as dag:
    load = BashOperator(task_id="load", bash_command="gdbt load --project-dir /project/dbt_project --profiles-dir /project/dbt_project")
    build = BashOperator(task_id="build", bash_command="gdbt build --project-dir /project/dbt_project --profiles-dir /project/dbt_project")
    load >> build
