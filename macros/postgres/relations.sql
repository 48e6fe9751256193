{#- Postgres relation helpers (package dbt_postgres). -#}

{#- Freshness from relation metadata is not supported on Postgres; a
    source freshness check then needs a loaded_at_field. -#}
{% macro postgres__get_relation_last_modified(information_schema, relations) -%}
  {%- do return(none) -%}
{%- endmacro %}

{#- Postgres silently cuts identifiers at 63 bytes, so temporary and backup
    names shorten the base name to keep their suffix (and, for temporary
    relations, a time-of-day stamp that keeps them unique). -#}
{% macro postgres__make_relation_with_suffix(base_relation, suffix, dstring) -%}
    {%- if dstring -%}
        {%- set suffix = suffix ~ modules.datetime.datetime.now().strftime("%H%M%S%f") -%}
    {%- endif -%}
    {%- set room = 63 - (suffix | length) -%}
    {%- if room < 0 -%}
        {%- do exceptions.raise_compiler_error('Relation suffix is too long (' ~ (suffix | length) ~ ' characters). Maximum length is 63 characters.') -%}
    {%- endif -%}
    {{ return(base_relation.incorporate(path={"identifier": base_relation.identifier[:room] ~ suffix})) }}
{%- endmacro %}

{% macro postgres__make_intermediate_relation(base_relation, suffix) -%}
    {{ return(postgres__make_relation_with_suffix(base_relation, suffix, dstring=False)) }}
{%- endmacro %}

{#- Temporary tables live in the session's own schema: no database or
    schema in their name. -#}
{% macro postgres__make_temp_relation(base_relation, suffix) -%}
    {%- set tmp = postgres__make_relation_with_suffix(base_relation, suffix, dstring=True) -%}
    {{ return(tmp.incorporate(path={"schema": none, "database": none})) }}
{%- endmacro %}

{% macro postgres__make_backup_relation(base_relation, backup_relation_type, suffix) -%}
    {%- set backup = postgres__make_relation_with_suffix(base_relation, suffix, dstring=False) -%}
    {{ return(backup.incorporate(type=backup_relation_type)) }}
{%- endmacro %}

{#- The warehouse adapter answers column questions itself (and caches). -#}
{% macro postgres__get_columns_in_relation(relation) -%}
    {{ return(adapter.get_columns_in_relation(relation)) }}
{%- endmacro %}

{% macro postgres__information_schema_name(database) -%}
    information_schema
{%- endmacro %}

{% macro postgres__list_schemas(database) -%}
    {%- call statement('list_schemas', fetch_result=True, auto_begin=False) -%}
        select distinct nspname from pg_namespace
    {%- endcall -%}
    {{ return(load_result('list_schemas').table) }}
{%- endmacro %}

{% macro postgres__check_schema_exists(information_schema, schema) -%}
    {%- call statement('check_schema_exists', fetch_result=True, auto_begin=False) -%}
        select count(*) from pg_namespace where nspname = '{{ schema }}'
    {%- endcall -%}
    {{ return(load_result('check_schema_exists').table) }}
{%- endmacro %}

{% macro postgres__list_relations_without_caching(schema_relation) -%}
    {{ return(adapter.list_relations_without_caching(schema_relation)) }}
{%- endmacro %}

{#- create [temporary | unlogged] table … as (…). The two blank lines stand
    where dbt prints contract checks for enforced contracts; gdbt enforces
    contracts in its Go materializations. -#}
{% macro postgres__create_table_as(temporary, relation, sql) -%}
    {%- set header = config.get('sql_header', none) -%}
    {%- if temporary -%}
        {%- set kind = 'temporary' -%}
    {%- elif config.get('unlogged', default=false) -%}
        {%- set kind = 'unlogged' -%}
    {%- else -%}
        {%- set kind = '' -%}
    {%- endif -%}
  {{ header if header is not none }}

  create {{ kind }} table {{ relation }}
  {{ '' }}
  {{ '' }}
    as
  {{ '' }}
  (
    {{ sql }}
  );
{%- endmacro %}

{% macro postgres__create_schema(relation) -%}
    {%- call statement('create_schema') -%}
        create schema if not exists {{ relation.without_identifier().include(database=False) }}
    {%- endcall -%}
{%- endmacro %}

{% macro postgres__drop_schema(relation) -%}
    {%- call statement('drop_schema') -%}
        drop schema if exists {{ relation.without_identifier().include(database=False) }} cascade
    {%- endcall -%}
{%- endmacro %}

{#- Comments are dollar-quoted with a label no sane comment contains, so
    they need no escaping. -#}
{% macro postgres_escape_comment(comment) -%}
    {%- if comment is not string -%}
        {%- do exceptions.raise_compiler_error('cannot escape a non-string: ' ~ comment) -%}
    {%- endif -%}
    {%- set fence = '$dbt_comment_literal_block$' -%}
    {%- if fence in comment -%}
        {%- do exceptions.raise_compiler_error('The string ' ~ fence ~ ' is not allowed in comments.') -%}
    {%- endif -%}
    {{ fence }}{{ comment }}{{ fence }}
{%- endmacro %}

{% macro postgres__alter_relation_comment(relation, comment) -%}
    {%- set kind = 'materialized view' if relation.type == 'materialized_view' else relation.type -%}
    comment on {{ kind }} {{ relation }} is {{ postgres_escape_comment(comment) }};
{%- endmacro %}

{#- Only columns the relation has: documenting a column that the model no
    longer selects must not fail the run. -#}
{% macro postgres__alter_column_comment(relation, column_dict) -%}
    {%- set existing = adapter.get_columns_in_relation(relation) | map(attribute='name') | list -%}
    {%- for name in column_dict if name in existing %}
    comment on column {{ relation }}.{{ adapter.quote(name) if column_dict[name]['quote'] else name }} is {{ postgres_escape_comment(column_dict[name]['description']) }};
    {%- endfor -%}
{%- endmacro %}
