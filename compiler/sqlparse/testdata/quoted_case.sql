select "Id", Name, "MixedCase"."Col" from "MixedCase" join Lower_Table l on l.id = "MixedCase"."Id"
