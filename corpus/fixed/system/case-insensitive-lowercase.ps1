# expect: MI101 MI102 MI104
# why: Every command, parameter and member written in lowercase; autosave disabled in lowercase too.
disable-azcontextautosave -scope process | out-null

$c = get-automationconnection -name 'AzureRunAsConnection'
Connect-AzAccount -Identity | out-null
set-azcontext -subscriptionid $c.subscriptionid | out-null

$report = foreach ($plan in get-azappserviceplan) {
    [pscustomobject]@{
        name     = $plan.name
        sku      = $plan.sku.name
        sites    = $plan.numberofsites
        location = $plan.location
    }
}
$report | where-object { $_.sites -eq 0 } | format-table -autosize | out-string | write-output
