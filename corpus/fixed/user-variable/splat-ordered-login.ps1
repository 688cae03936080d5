# expect: MI101 MI102 MI401
# why: Certificate login splatted from an [ordered] hashtable with quoted keys, no autosave call, connection name from a variable.
[CmdletBinding()]
param(
    [string[]] $VmNames = @('vm-build-01', 'vm-build-02'),
    [string] $ResourceGroup = 'rg-build-agents'
)

$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'

Disable-AzContextAutosave -Scope Process | Out-Null
$azContext = Connect-AzAccount -Identity -AccountId $IdentityClientId
Write-Verbose "Signed in as $($azContext.Context.Account.Id)"

foreach ($name in $VmNames) {
    $status = (Get-AzVM -ResourceGroupName $ResourceGroup -Name $name -Status).Statuses |
        Where-Object Code -like 'PowerState/*'
    if ($status.Code -ne 'PowerState/running') {
        Write-Output "Starting $name"
        Start-AzVM -ResourceGroupName $ResourceGroup -Name $name -NoWait | Out-Null
    }
}
