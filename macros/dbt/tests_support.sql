{% macro should_store_failures() %}
  {%- set flag = config.get('store_failures') -%}
  {%- if flag is none -%}
    {%- set flag = flags.STORE_FAILURES -%}
  {%- endif -%}
  {%- do return(flag) -%}
{% endmacro %}

{% macro should_full_refresh() %}
  {%- set flag = config.get('full_refresh') -%}
  {%- if flag is none -%}
    {%- set flag = flags.FULL_REFRESH -%}
  {%- endif -%}
  {%- do return(flag) -%}
{% endmacro %}

{% macro get_where_subquery(relation) -%}
    {% do return(adapter.dispatch('get_where_subquery', 'dbt')(relation)) %}
{%- endmacro %}

{% macro default__get_where_subquery(relation) -%}
    {%- set condition = config.get('where', '') -%}
    {%- if condition -%}
        {%- set wrapped -%}
            (select * from {{ relation }} where {{ condition }}) dbt_subquery
        {%- endset -%}
        {%- do return(wrapped) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}

{% macro get_test_sql(main_sql, fail_calc, warn_if, error_if, limit) -%}
  {{ adapter.dispatch('get_test_sql', 'dbt')(main_sql, fail_calc, warn_if, error_if, limit) }}
{%- endmacro %}

{% macro default__get_test_sql(main_sql, fail_calc, warn_if, error_if, limit) -%}
    select
      {{ fail_calc }} as failures,
      {{ fail_calc }} {{ warn_if }} as should_warn,
      {{ fail_calc }} {{ error_if }} as should_error
    from (
      {{ main_sql }}
      {{ "limit " ~ limit if limit != none }}
    ) dbt_internal_test
{%- endmacro %}
