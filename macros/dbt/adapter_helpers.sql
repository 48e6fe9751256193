{#- Introspection and relation helpers that models, hooks, operations and
    packages call. Where gdbt's adapter object does the work natively the
    Postgres version (package dbt_postgres) hands over to it. -#}

{% macro get_columns_in_relation(relation) -%}
    {{ return(adapter.dispatch('get_columns_in_relation', 'dbt')(relation)) }}
{%- endmacro %}
{% macro default__get_columns_in_relation(relation) -%}
    {{ exceptions.raise_not_implemented('get_columns_in_relation macro not implemented for adapter ' ~ adapter.type()) }}
{%- endmacro %}

{#- Columns from an information_schema-shaped result: name, type, char
    size, numeric precision, numeric scale. -#}
{% macro sql_convert_columns_in_relation(table) -%}
    {%- set columns = [] -%}
    {%- for row in table -%}
        {%- do columns.append(api.Column.create(row[0], row[1])) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{% macro get_list_of_column_names(columns) -%}
    {{ return(columns | map(attribute='name') | list) }}
{%- endmacro %}

{#- A query with the shape of select_sql and no rows, for asking the
    database about columns without scanning data. -#}
{% macro get_empty_subquery_sql(select_sql, select_sql_header=none) -%}
    {{ return(adapter.dispatch('get_empty_subquery_sql', 'dbt')(select_sql, select_sql_header)) }}
{%- endmacro %}
{% macro default__get_empty_subquery_sql(select_sql, select_sql_header=none) -%}
    {%- if select_sql_header is not none -%}
    {{ select_sql_header }}
    {%- endif -%}
    select * from (
        {{ select_sql }}
    ) as __dbt_sbq
    where false
    limit 0
{% endmacro %}

{#- Column names of a query's result (kept for older packages). -#}
{% macro get_columns_in_query(select_sql) -%}
    {{ return(adapter.dispatch('get_columns_in_query', 'dbt')(select_sql)) }}
{%- endmacro %}
{% macro default__get_columns_in_query(select_sql) -%}
    {%- call statement('get_columns_in_query', fetch_result=True, auto_begin=False) -%}
        {{ get_empty_subquery_sql(select_sql) }}
    {%- endcall -%}
    {%- set found = load_result('get_columns_in_query') -%}
    {%- if found is none -%}
        {{ return([]) }}
    {%- endif -%}
    {{ return(found.table.columns | map(attribute='name') | list) }}
{%- endmacro %}

{#- Columns (with types) of a query's result. -#}
{% macro get_column_schema_from_query(select_sql, select_sql_header=none) -%}
    {%- set probe = get_empty_subquery_sql(select_sql, select_sql_header) -%}
    {{ return(adapter.get_column_schema_from_query(probe)) }}
{%- endmacro %}

{#- Relations derived from a model's: intermediate (built before the swap),
    temporary, backup. -#}
{% macro make_intermediate_relation(base_relation, suffix='__dbt_tmp') -%}
    {{ return(adapter.dispatch('make_intermediate_relation', 'dbt')(base_relation, suffix)) }}
{%- endmacro %}
{% macro default__make_intermediate_relation(base_relation, suffix) -%}
    {{ return(default__make_temp_relation(base_relation, suffix)) }}
{%- endmacro %}

{% macro make_temp_relation(base_relation, suffix='__dbt_tmp') -%}
    {#- Microbatch batches each get their own temporary relation. -#}
    {%- if suffix == '__dbt_tmp' and model.batch -%}
        {%- set suffix = suffix ~ '_' ~ model.batch.id -%}
    {%- endif -%}
    {{ return(adapter.dispatch('make_temp_relation', 'dbt')(base_relation, suffix)) }}
{%- endmacro %}
{% macro default__make_temp_relation(base_relation, suffix) -%}
    {{ return(base_relation.incorporate(path={"identifier": base_relation.identifier ~ suffix})) }}
{%- endmacro %}

{% macro make_backup_relation(base_relation, backup_relation_type, suffix='__dbt_backup') -%}
    {{ return(adapter.dispatch('make_backup_relation', 'dbt')(base_relation, backup_relation_type, suffix)) }}
{%- endmacro %}
{% macro default__make_backup_relation(base_relation, backup_relation_type, suffix) -%}
    {{ return(base_relation.incorporate(path={"identifier": base_relation.identifier ~ suffix}, type=backup_relation_type)) }}
{%- endmacro %}

{#- The relation as the database knows it (with its type), or none. -#}
{% macro load_cached_relation(relation) -%}
    {{ return(adapter.get_relation(database=relation.database, schema=relation.schema, identifier=relation.identifier)) }}
{%- endmacro %}
{% macro load_relation(relation) -%}
    {{ return(load_cached_relation(relation)) }}
{%- endmacro %}

{#- [exists, relation]: the existing relation, or a new one of type. -#}
{% macro get_or_create_relation(database, schema, identifier, type) -%}
    {{ return(adapter.dispatch('get_or_create_relation', 'dbt')(database, schema, identifier, type)) }}
{%- endmacro %}
{% macro default__get_or_create_relation(database, schema, identifier, type) -%}
    {%- set existing = adapter.get_relation(database=database, schema=schema, identifier=identifier) -%}
    {%- if existing -%}
        {{ return([true, existing]) }}
    {%- endif -%}
    {{ return([false, api.Relation.create(database=database, schema=schema, identifier=identifier, type=type)]) }}
{%- endmacro %}

{% macro drop_relation_if_exists(relation) -%}
    {%- if relation is not none -%}
        {%- do adapter.drop_relation(relation) -%}
    {%- endif -%}
{%- endmacro %}

{% macro truncate_relation(relation) -%}
    {{ return(adapter.dispatch('truncate_relation', 'dbt')(relation)) }}
{%- endmacro %}
{% macro default__truncate_relation(relation) -%}
    {%- call statement('truncate_relation') -%}
        truncate table {{ relation }}
    {%- endcall -%}
{%- endmacro %}

{% macro information_schema_name(database) -%}
    {{ return(adapter.dispatch('information_schema_name', 'dbt')(database)) }}
{%- endmacro %}
{% macro default__information_schema_name(database) -%}
    {%- if database -%}{{ database }}.{%- endif -%}INFORMATION_SCHEMA
{%- endmacro %}

{#- list_schemas(database): a table of the schema names. -#}
{% macro list_schemas(database) -%}
    {{ return(adapter.dispatch('list_schemas', 'dbt')(database)) }}
{%- endmacro %}
{% macro default__list_schemas(database) -%}
    {%- set sql -%}
        select distinct schema_name
        from {{ information_schema_name(database) }}.SCHEMATA
        where catalog_name ilike '{{ database }}'
    {%- endset -%}
    {{ return(run_query(sql)) }}
{%- endmacro %}

{% macro check_schema_exists(information_schema, schema) -%}
    {{ return(adapter.dispatch('check_schema_exists', 'dbt')(information_schema, schema)) }}
{%- endmacro %}

{% macro list_relations_without_caching(schema_relation) -%}
    {{ return(adapter.dispatch('list_relations_without_caching', 'dbt')(schema_relation)) }}
{%- endmacro %}
{% macro default__list_relations_without_caching(schema_relation) -%}
    {{ exceptions.raise_not_implemented('list_relations_without_caching macro not implemented for adapter ' ~ adapter.type()) }}
{%- endmacro %}

{% macro get_relation_last_modified(information_schema, relations) -%}
    {{ return(adapter.dispatch('get_relation_last_modified', 'dbt')(information_schema, relations)) }}
{%- endmacro %}
{% macro default__get_relation_last_modified(information_schema, relations) -%}
    {{ exceptions.raise_not_implemented('get_relation_last_modified macro not implemented for adapter ' ~ adapter.type()) }}
{%- endmacro %}

{#- Column lists for DML: names quoted when they need to be, joined by ", ". -#}
{% macro get_quoted_csv(column_names) -%}
    {%- set quoted = [] -%}
    {%- for name in column_names -%}
        {%- do quoted.append(adapter.quote(name)) -%}
    {%- endfor -%}
    {{ return(quoted | join(', ')) }}
{%- endmacro %}
