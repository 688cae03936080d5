# expect: MI101 MI102 MI401
# why: A file that opens with a help block, #Requires lines and param(): the identity declaration and the autosave call go after all three, never above them.
<#
.SYNOPSIS
    Tags every resource group with its cost centre from a CSV in a storage account.
#>
#Requires -Modules Az.Accounts
#Requires -Modules Az.Resources
param(
    [Parameter(Mandatory = $true)]
    [string]$CsvUrl
)
# Sign in as the Automation account
$automationConnection = Get-AutomationConnection -Name 'AzureRunAsConnection'
Add-AzAccount -ServicePrincipal -TenantId $automationConnection.TenantId -ApplicationId $automationConnection.ApplicationId -CertificateThumbprint $automationConnection.CertificateThumbprint | Out-Null

$rows = (Invoke-WebRequest -Uri $CsvUrl -UseBasicParsing).Content | ConvertFrom-Csv
foreach ($row in $rows) {
    Update-AzTag -ResourceId (Get-AzResourceGroup -Name $row.ResourceGroup).ResourceId -Tag @{ CostCentre = $row.CostCentre } -Operation Merge | Out-Null
}
