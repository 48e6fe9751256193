{#- DDL text helpers that packages and custom materializations call:
    create table/view as, drop, schemas, the sql_header config. gdbt's own
    materializations are Go code and only use these when a project or
    package overrides them; contracts are enforced there too, so these
    helpers print the plain (uncontracted) statements. -#}

{#- {% call set_sql_header(config) %}...{% endcall %}: SQL to run before
    the model's statement in the same session (set, create temp function…). -#}
{% macro set_sql_header(config) -%}
    {{ config.set('sql_header', caller()) }}
{%- endmacro %}

{% macro get_create_table_as_sql(temporary, relation, sql) -%}
    {{ adapter.dispatch('get_create_table_as_sql', 'dbt')(temporary, relation, sql) }}
{%- endmacro %}
{% macro default__get_create_table_as_sql(temporary, relation, sql) -%}
    {{ return(create_table_as(temporary, relation, sql)) }}
{%- endmacro %}

{#- The older name, still what most packages call. -#}
{% macro create_table_as(temporary, relation, compiled_code, language='sql') %}
  {{ '' }}
    {% if language == 'sql' -%}
        {{ adapter.dispatch('create_table_as', 'dbt')(temporary, relation, compiled_code) }}
    {%- else -%}
        {{ adapter.dispatch('create_table_as', 'dbt')(temporary, relation, compiled_code, language) }}
    {%- endif %}
  {{ '' }}
{%- endmacro %}
{% macro default__create_table_as(temporary, relation, sql) -%}
    {%- set header = config.get('sql_header', none) -%}
    {%- set target = relation.include(database=(not temporary), schema=(not temporary)) -%}
  {{ header if header is not none }}

  create {{ 'temporary' if temporary }} table
    {{ target }}
  {{ '' }}
  {{ '' }}
  as (
    {{ sql }}
  );
{%- endmacro %}

{% macro get_create_view_as_sql(relation, sql) -%}
    {{ adapter.dispatch('get_create_view_as_sql', 'dbt')(relation, sql) }}
{%- endmacro %}
{% macro default__get_create_view_as_sql(relation, sql) -%}
    {{ return(create_view_as(relation, sql)) }}
{%- endmacro %}

{% macro create_view_as(relation, sql) -%}
    {{ adapter.dispatch('create_view_as', 'dbt')(relation, sql) }}
{%- endmacro %}
{% macro default__create_view_as(relation, sql) -%}
    {%- set header = config.get('sql_header', none) -%}
  {{ header if header is not none }}
  create view {{ relation }}
    {{ '' }}
    {{ '' }}
  as (
    {{ sql }}
  );
{%- endmacro %}

{#- drop: the statement text (get_drop_sql) and running it (drop_relation). -#}
{% macro get_drop_sql(relation) -%}
    {%- do log('Applying DROP to: ' ~ relation) -%}
    {{- adapter.dispatch('get_drop_sql', 'dbt')(relation) -}}
{%- endmacro %}
{% macro default__get_drop_sql(relation) -%}
    {%- if relation.is_view -%}
        {{ drop_view(relation) }}
    {%- elif relation.is_table -%}
        {{ drop_table(relation) }}
    {%- elif relation.is_materialized_view -%}
        {{ drop_materialized_view(relation) }}
    {%- else -%}
        drop {{ relation.type }} if exists {{ relation }} cascade
    {%- endif -%}
{%- endmacro %}

{% macro drop_view(relation) -%}
    {{- adapter.dispatch('drop_view', 'dbt')(relation) -}}
{%- endmacro %}
{% macro default__drop_view(relation) -%}
    drop view if exists {{ relation }} cascade
{%- endmacro %}

{% macro drop_table(relation) -%}
    {{- adapter.dispatch('drop_table', 'dbt')(relation) -}}
{%- endmacro %}
{% macro default__drop_table(relation) -%}
    drop table if exists {{ relation }} cascade
{%- endmacro %}

{% macro drop_materialized_view(relation) -%}
    {{- adapter.dispatch('drop_materialized_view', 'dbt')(relation) -}}
{%- endmacro %}
{% macro default__drop_materialized_view(relation) -%}
    drop materialized view if exists {{ relation }} cascade
{%- endmacro %}

{% macro drop_relation(relation) -%}
    {{ return(adapter.dispatch('drop_relation', 'dbt')(relation)) }}
{%- endmacro %}
{% macro default__drop_relation(relation) -%}
    {%- call statement('drop_relation', auto_begin=False) -%}
        {{ get_drop_sql(relation) }}
    {%- endcall -%}
{%- endmacro %}

{#- Schemas: relation is a schema relation (its identifier is ignored). -#}
{% macro create_schema(relation) -%}
    {{ adapter.dispatch('create_schema', 'dbt')(relation) }}
{%- endmacro %}
{% macro default__create_schema(relation) -%}
    {%- call statement('create_schema') -%}
        create schema if not exists {{ relation.without_identifier() }}
    {%- endcall -%}
{%- endmacro %}

{% macro drop_schema(relation) -%}
    {{ adapter.dispatch('drop_schema', 'dbt')(relation) }}
{%- endmacro %}
{% macro default__drop_schema(relation) -%}
    {%- call statement('drop_schema') -%}
        drop schema if exists {{ relation.without_identifier() }} cascade
    {%- endcall -%}
{%- endmacro %}

{% macro drop_schema_named(schema_name) -%}
    {{ return(adapter.dispatch('drop_schema_named', 'dbt')(schema_name)) }}
{%- endmacro %}
{% macro default__drop_schema_named(schema_name) -%}
    {{ adapter.drop_schema(api.Relation.create(schema=schema_name)) }}
{%- endmacro %}
