{#- Portable type names and casts. Each public macro dispatches through the
    "dbt" namespace so a project or package can supply its own
    <adapter>__ or default__ version. On Postgres the type names are what
    dbt's Column.translate_type gives: only "string" is relabelled (TEXT). -#}

{% macro type_string() -%}
    {{ return(adapter.dispatch('type_string', 'dbt')()) }}
{%- endmacro %}
{% macro default__type_string() -%}
    {{ return('TEXT') }}
{%- endmacro %}

{% macro type_timestamp() -%}
    {{ return(adapter.dispatch('type_timestamp', 'dbt')()) }}
{%- endmacro %}
{% macro default__type_timestamp() -%}
    {{ return('timestamp') }}
{%- endmacro %}

{% macro type_float() -%}
    {{ return(adapter.dispatch('type_float', 'dbt')()) }}
{%- endmacro %}
{% macro default__type_float() -%}
    {{ return('float') }}
{%- endmacro %}

{#- numeric carries an explicit precision and scale: an unconstrained
    numeric would keep every digit, which is not portable. -#}
{% macro type_numeric() -%}
    {{ return(adapter.dispatch('type_numeric', 'dbt')()) }}
{%- endmacro %}
{% macro default__type_numeric() -%}
    {{ return('numeric(28,6)') }}
{%- endmacro %}

{% macro type_bigint() -%}
    {{ return(adapter.dispatch('type_bigint', 'dbt')()) }}
{%- endmacro %}
{% macro default__type_bigint() -%}
    {{ return('bigint') }}
{%- endmacro %}

{% macro type_int() -%}
    {{ return(adapter.dispatch('type_int', 'dbt')()) }}
{%- endmacro %}
{% macro default__type_int() -%}
    {{ return('integer') }}
{%- endmacro %}

{% macro type_boolean() -%}
    {{ return(adapter.dispatch('type_boolean', 'dbt')()) }}
{%- endmacro %}
{% macro default__type_boolean() -%}
    {{ return('boolean') }}
{%- endmacro %}

{#- cast(field, type): the SQL standard cast, on a line of its own. -#}
{% macro cast(field, type) -%}
    {{ return(adapter.dispatch('cast', 'dbt')(field, type)) }}
{%- endmacro %}
{% macro default__cast(field, type) %}
    cast({{ field }} as {{ type }})
{% endmacro %}

{#- safe_cast: few databases have a cast that yields null on failure, so
    the default is a plain cast. The blank line before it is part of the
    SQL dbt emits. -#}
{% macro safe_cast(field, type) -%}
    {{ return(adapter.dispatch('safe_cast', 'dbt')(field, type)) }}
{%- endmacro %}
{% macro default__safe_cast(field, type) %}
    {{ '' }}
    cast({{ field }} as {{ type }})
{% endmacro %}

{#- cast_bool_to_text prints its implementation rather than returning it,
    so the wrapper's own lines stay around the cast. -#}
{% macro cast_bool_to_text(field) %}
  {{ adapter.dispatch('cast_bool_to_text', 'dbt')(field) }}
{% endmacro %}
{% macro default__cast_bool_to_text(field) %}
    cast({{ field }} as TEXT)
{% endmacro %}
