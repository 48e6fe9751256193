{#- Smaller helpers user code reaches for: hook configs, dbt show's query,
    renames, column type changes, the snapshot TRUE literal, the name a
    Python model sees for a relation. -#}

{#- pre_hook=before_begin("…") and friends: a hook given as JSON with its
    transaction flag, which the hook parser reads back. -#}
{% macro make_hook_config(sql, inside_transaction) %}
    {{ tojson({"sql": sql, "transaction": inside_transaction}) }}
{% endmacro %}

{% macro before_begin(sql) %}
    {{ make_hook_config(sql, inside_transaction=False) }}
{% endmacro %}

{% macro in_transaction(sql) %}
    {{ make_hook_config(sql, inside_transaction=True) }}
{% endmacro %}

{% macro after_commit(sql) %}
    {{ make_hook_config(sql, inside_transaction=False) }}
{% endmacro %}

{#- dbt show: the node's SQL (after its sql_header) with a limit. -#}
{% macro get_show_sql(compiled_code, sql_header, limit) -%}
    {%- if sql_header is not none -%}
    {{ sql_header }}
    {%- endif %}
  {{ get_limit_subquery_sql(compiled_code, limit) }}
{% endmacro %}

{% macro get_limit_subquery_sql(sql, limit) -%}
    {{ adapter.dispatch('get_limit_sql', 'dbt')(sql, limit) }}
{%- endmacro %}
{% macro default__get_limit_sql(sql, limit) %}
  {{ sql }}
  {% if limit is not none %}
  limit {{ limit }}
  {%- endif -%}
{% endmacro %}

{#- Printed, not returned: callers get it on a line of its own. -#}
{% macro get_true_sql() %}
  {{ adapter.dispatch('get_true_sql', 'dbt')() }}
{% endmacro %}
{% macro default__get_true_sql() -%}
    {{ return('TRUE') }}
{%- endmacro %}

{#- A relation's name as Python model code sees it. (dbt's version means to
    escape double quotes, but its '\"' literal is a plain quote, so the
    text comes out unchanged; so does ours.) -#}
{% macro resolve_model_name(input_model_name) -%}
    {{ return(adapter.dispatch('resolve_model_name', 'dbt')(input_model_name)) }}
{%- endmacro %}
{% macro default__resolve_model_name(input_model_name) -%}
    {{ input_model_name | string }}
{%- endmacro %}

{% macro rename_relation(from_relation, to_relation) -%}
    {{ return(adapter.dispatch('rename_relation', 'dbt')(from_relation, to_relation)) }}
{%- endmacro %}
{% macro default__rename_relation(from_relation, to_relation) -%}
    {%- call statement('rename_relation') -%}
        alter table {{ from_relation }} rename to {{ adapter.quote(to_relation.identifier) }}
    {%- endcall -%}
{%- endmacro %}

{#- alter_column_type: through a temporary column, so that any type change
    works (cast on copy), keeping the column's name and position last. -#}
{% macro alter_column_type(relation, column_name, new_column_type) -%}
    {{ return(adapter.dispatch('alter_column_type', 'dbt')(relation, column_name, new_column_type)) }}
{%- endmacro %}
{% macro default__alter_column_type(relation, column_name, new_column_type) -%}
    {%- set tmp = adapter.quote(column_name ~ '__dbt_alter') -%}
    {%- set col = adapter.quote(column_name) -%}
    {%- call statement('alter_column_type') -%}
        alter table {{ relation }} add column {{ tmp }} {{ new_column_type }};
        update {{ relation }} set {{ tmp }} = {{ col }};
        alter table {{ relation }} drop column {{ col }} cascade;
        alter table {{ relation }} rename column {{ tmp }} to {{ col }}
    {%- endcall -%}
{%- endmacro %}

{#- Comments (persist_docs). -#}
{% macro alter_relation_comment(relation, relation_comment) -%}
    {{ return(adapter.dispatch('alter_relation_comment', 'dbt')(relation, relation_comment)) }}
{%- endmacro %}
{% macro alter_column_comment(relation, column_dict) -%}
    {{ return(adapter.dispatch('alter_column_comment', 'dbt')(relation, column_dict)) }}
{%- endmacro %}
