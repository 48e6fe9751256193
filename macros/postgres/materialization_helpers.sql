{#- Postgres's answers to the materialization helpers' questions. -#}

{#- A unique, timestamped index name, so that an index of the relation
    being replaced never makes "if not exists" skip the new one. -#}
{% macro postgres__get_create_index_sql(relation, index_dict) -%}
  {%- set index = adapter.parse_index(index_dict) -%}
  {%- set columns = index.columns | join(', ') -%}
  {%- set name = index.render(relation) -%}

  create {% if index.unique -%}
    unique
  {%- endif %} index if not exists
  "{{ name }}"
  on {{ relation }} {% if index.type -%}
    using {{ index.type }}
  {%- endif %}
  ({{ columns }})
{%- endmacro %}

{#- Grants other roles hold that the current role gave. -#}
{%- macro postgres__get_show_grant_sql(relation) -%}
  select grantee, privilege_type
  from {{ adapter.quote(relation.database) ~ '.' if relation.database }}INFORMATION_SCHEMA.role_table_grants
      where grantor = current_role
        and grantee != current_role
        and table_schema = '{{ relation.schema }}'
        and table_name = '{{ relation.identifier }}'
{%- endmacro -%}

{#- A relation built anew (create, then rename over the old one) has no
    grants of the one it replaces. -#}
{% macro postgres__copy_grants() %}
    {{ return(False) }}
{% endmacro %}

{#- Postgres's default strategy: delete+insert with a unique key, else
    append. -#}
{% macro postgres__get_incremental_default_sql(arg_dict) %}
    {%- if arg_dict['unique_key'] -%}
        {%- do return(get_incremental_delete_insert_sql(arg_dict)) -%}
    {%- endif -%}
    {%- do return(get_incremental_append_sql(arg_dict)) -%}
{% endmacro %}

{#- A batch replaces the rows of its keys: merge, which needs a key. -#}
{% macro postgres__get_incremental_microbatch_sql(arg_dict) %}
    {%- if not arg_dict['unique_key'] -%}
        {{ exceptions.raise_compiler_error("dbt-postgres 'microbatch' requires a `unique_key` config") }}
    {%- endif -%}
    {%- do return(adapter.dispatch('get_incremental_merge_sql', 'dbt')(arg_dict)) -%}
{% endmacro %}
