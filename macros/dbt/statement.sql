{#- statement runs its caller's SQL when execute is true and keeps the
    result for load_result(name); the main statement of a materialization
    is also written to target/run. -#}
{%- macro statement(name=None, fetch_result=False, auto_begin=True, language='sql') -%}
  {%- if execute -%}
    {%- set sql_text = caller() -%}
    {%- if name == 'main' -%}
      {{ write(sql_text) }}
    {%- endif -%}
    {%- set response, table = adapter.execute(sql_text, auto_begin=auto_begin, fetch=fetch_result) -%}
    {%- if name is not none -%}
      {{ store_result(name, response=response, agate_table=table) }}
    {%- endif -%}
  {%- endif -%}
{%- endmacro %}

{% macro noop_statement(name=None, message=None, code=None, rows_affected=None, res=None) -%}
  {%- set sql_text = caller() -%}
  {%- if name is not none -%}
    {{ store_raw_result(name, message=message, code=code, rows_affected=rows_affected, agate_table=res) }}
  {%- endif -%}
{%- endmacro %}

{% macro run_query(sql) %}
  {% call statement("run_query_statement", fetch_result=true, auto_begin=false) %}
    {{ sql }}
  {% endcall %}
  {% do return(load_result("run_query_statement").table) %}
{% endmacro %}

{% macro is_incremental() %}
    {#- Decided by gdbt: an incremental model whose table already exists,
        outside a full refresh. -#}
    {{ return(gdbt_is_incremental()) }}
{% endmacro %}
